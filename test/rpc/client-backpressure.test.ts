import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import { test } from 'node:test';
import { resolveClientOptions } from '../../src/rpc/client.ts';
import { isRpcError } from '../../src/util/errors.ts';
import { dialFor, HANG_LIMIT } from '../fixtures/rpc-server.ts';

const LIMIT_BYTES = 1024 * 1024;
const ARGS = 'x'.repeat(16 * 1024);

test(
  'a client facing a server that stops reading fails new calls with ERR_SEND_BUFFER_FULL, within its limit',
  HANG_LIMIT,
  async (t) => {
    const sockets: Socket[] = [];
    // Accepts and never reads: what the kernel does not hold stays in the client.
    const silent = createServer((socket) => {
      socket.pause();
      sockets.push(socket);
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    t.after(() => {
      for (const socket of sockets) socket.destroy();
      silent.close();
    });
    const port = (silent.address() as { port: number }).port;
    const client = await dialFor(t, `tcp@127.0.0.1:${port}`, { maxSendBufferBytes: LIMIT_BYTES });
    let refused = 0;
    let peakBufferedBytes = 0;
    const calls: Promise<unknown>[] = [];
    for (let index = 0; index < 4_000; index++) {
      calls.push(
        client.call('Foo.Echo', ARGS, { timeoutMs: 60_000 }).catch((error: unknown) => {
          if (isRpcError(error, 'ERR_SEND_BUFFER_FULL')) refused++;
          return error;
        }),
      );
      peakBufferedBytes = Math.max(peakBufferedBytes, client.bufferedBytes);
      // Lets the socket hand bytes to the kernel now and then, as a real caller's awaits would.
      if (index % 64 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    assert.ok(refused > 0, 'calls past the limit are refused');
    // The limit plus one early-flush batch and one call's frame at most.
    assert.ok(
      peakBufferedBytes <= LIMIT_BYTES + 4096 + ARGS.length + 64,
      `${peakBufferedBytes} bytes buffered`,
    );
    assert.ok(client.pendingCalls <= 4_000 - refused);
    await client.close();
    const settled = await Promise.all(calls);
    assert.equal(settled.length, 4_000);
    assert.ok(
      settled.every((outcome) => outcome instanceof Error),
      'every call settles, none is answered',
    );
  },
);

test('maxSendBufferBytes is checked', () => {
  assert.equal(resolveClientOptions().maxSendBufferBytes, 8 * 1024 * 1024);
  for (const bad of [0, -1, 1.5, Number.NaN]) {
    assert.throws(() => resolveClientOptions({ maxSendBufferBytes: bad }), {
      code: 'ERR_INVALID_ARGUMENT',
      message: /options\.maxSendBufferBytes must be a positive integer/,
    });
  }
});
