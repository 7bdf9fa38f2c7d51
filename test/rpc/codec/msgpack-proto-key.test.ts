import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CodecName } from '../../../src/rpc/codec/codec.ts';
import { dialFor, startServer } from '../../fixtures/rpc-server.ts';

const ARGS = '{"__proto__":{"polluted":true},"list":[{"__proto__":1,"x":2}],"__proto_":3}';

for (const codec of ['application/msgpack', 'application/json'] as CodecName[]) {
  test(`${codec}: an argument key __proto__ arrives as an own key, and pollutes nothing`, async (t) => {
    const { server, address } = await startServer(t);
    let received: unknown;
    server.register(
      {
        Back: (args: unknown) => {
          received = args;
          return args;
        },
      },
      { name: 'Echo' },
    );
    const client = await dialFor(t, address, { codec });
    const reply = (await client.call('Echo.Back', JSON.parse(ARGS))) as Record<string, unknown>;
    for (const value of [received, reply] as Record<string, unknown>[]) {
      assert.deepEqual(Object.keys(value), ['__proto__', 'list', '__proto_']);
      assert.equal(Object.getPrototypeOf(value), Object.prototype);
      assert.equal(JSON.stringify(value), ARGS);
    }
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });
}
