import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { dial } from '../../src/rpc/dial.ts';
import { isRpcError } from '../../src/util/errors.ts';

test('a tcp@ address that answers HTTP fails its call saying so, with the address form to use', async (t) => {
  const web = createServer((_request, response) => response.end('hello')).listen(0, '127.0.0.1');
  await new Promise((resolve) => web.once('listening', resolve));
  t.after(() => web.close());
  const { port } = web.address() as AddressInfo;
  for (const codec of ['application/gob', 'application/msgpack', 'application/json'] as const) {
    const client = await dial(`tcp@127.0.0.1:${port}`, { codec, callTimeoutMs: 10_000 });
    const error: unknown = await client.call('Foo.Sum', { Num1: 1, Num2: 2 }).then(
      () => assert.fail('a web server answered a call'),
      (failure: unknown) => failure,
    );
    await client.close();
    assert.ok(isRpcError(error), String(error));
    assert.equal(error.code, 'ERR_BAD_HANDSHAKE', codec);
    assert.match(
      error.message,
      /answered with HTTP \("HTTP\/1\.1 400 Bad Request"\), not GeeRPC; for GeeRPC over HTTP use http@/,
    );
    assert.doesNotMatch(error.message, /frame of \d+ bytes/);
  }
});
