import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import { RemoteError } from '../../../src/rpc/errors.ts';
import { Server } from '../../../src/rpc/server/server.ts';
import { isRpcError } from '../../../src/util/errors.ts';
import { dialFor, HANG_LIMIT, startServer } from '../../fixtures/rpc-server.ts';
import { GateControl } from '../../fixtures/rpc-services.ts';

async function startGateServer(t: TestContext, serverHandleTimeoutMs?: number) {
  const started = await startServer(
    t,
    serverHandleTimeoutMs === undefined ? {} : { handleTimeoutMs: serverHandleTimeoutMs },
  );
  const gate = new GateControl();
  started.server.register(gate.service, { name: 'Gate' });
  return { ...started, gate };
}

async function expectHandleTimeout(call: Promise<unknown>, limitMs: number): Promise<void> {
  const error = await call.then(
    () => assert.fail('the call must time out on the server'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof RemoteError);
  assert.equal(error.message, `rpc server: request handle timeout: expect within ${limitMs}ms`);
}

test(
  "past the client's HandleTimeout the reply is a timeout error and the handler's signal fires",
  HANG_LIMIT,
  async (t) => {
    const { address, gate } = await startGateServer(t);
    const client = await dialFor(t, address, { handleTimeoutMs: 100 });
    await expectHandleTimeout(client.call('Gate.Hold', { id: 'slow' }), 100);
    const reason = await gate.whenAborted('slow');
    assert.ok(isRpcError(reason, 'ERR_HANDLE_TIMEOUT'));
    assert.equal(await client.call('Foo.Sum', { Num1: 1, Num2: 2 }), 3, 'the connection still serves calls');
  },
);

test('the smaller non-zero of the client and server limits applies', HANG_LIMIT, async (t) => {
  const cases = [
    { serverMs: 100, clientMs: 0, expectedMs: 100 },
    { serverMs: 100, clientMs: 60_000, expectedMs: 100 },
    { serverMs: 60_000, clientMs: 100, expectedMs: 100 },
  ];
  for (const { serverMs, clientMs, expectedMs } of cases) {
    await t.test(`server ${serverMs} ms, client ${clientMs} ms`, async (st) => {
      const { address, gate } = await startGateServer(st, serverMs);
      const client = await dialFor(st, address, { handleTimeoutMs: clientMs });
      await expectHandleTimeout(client.call('Gate.Hold', { id: 'x' }), expectedMs);
      assert.ok(isRpcError(await gate.whenAborted('x'), 'ERR_HANDLE_TIMEOUT'));
    });
  }
});

test('a handler finished before the limit is answered normally', HANG_LIMIT, async (t) => {
  const { address, gate } = await startGateServer(t, 60_000);
  const client = await dialFor(t, address, { handleTimeoutMs: 60_000 });
  const reply = client.call('Gate.Hold', { id: 'quick' });
  await gate.whenHeld('quick');
  gate.release('quick', 'done');
  assert.equal(await reply, 'done');
});

test("a handler's signal fires when its connection goes away", HANG_LIMIT, async (t) => {
  const { address, gate } = await startGateServer(t);
  const client = await dialFor(t, address);
  const reply = client.call('Gate.Hold', { id: 'orphan' }).catch((e: unknown) => e);
  await gate.whenHeld('orphan');
  await client.close();
  assert.ok(isRpcError(await reply, 'ERR_CONN_CLOSED'));
  assert.ok(isRpcError(await gate.whenAborted('orphan'), 'ERR_CONN_CLOSED'));
});

test('ServerOptions are checked with messages naming the option', () => {
  assert.throws(() => new Server({ handleTimeoutMs: -1 }), {
    code: 'ERR_INVALID_ARGUMENT',
    message: /options\.handleTimeoutMs must be an integer from 0/,
  });
  assert.throws(() => new Server({ handleTimeoutMs: 2 ** 40 }), { message: /options\.handleTimeoutMs/ });
  assert.throws(() => new Server({ codecs: [] }), { message: /options\.codecs must be a non-empty list/ });
  assert.throws(() => new Server({ codecs: ['application/protobuf' as never] }), {
    message: /options\.codecs/,
  });
  assert.throws(() => new Server({ maxFrameBytes: 0 }), {
    message: /options\.maxFrameBytes must be a positive integer/,
  });
  assert.throws(() => new Server({ handshakeTimeoutMs: 0 }), { message: /options\.handshakeTimeoutMs/ });
});
