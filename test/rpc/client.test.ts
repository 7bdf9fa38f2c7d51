import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { type TestContext, test } from 'node:test';
import { Client, resolveClientOptions } from '../../src/rpc/client.ts';
import { dial } from '../../src/rpc/dial.ts';
import { isTransportError } from '../../src/rpc/errors.ts';
import { isRpcError } from '../../src/util/errors.ts';
import { goJsonMessage } from '../fixtures/rpc-go-wire.ts';
import { countByte, RawSocket } from '../fixtures/rpc-raw-socket.ts';
import { dialFor, portOf, startServer, unixSocketAddress } from '../fixtures/rpc-server.ts';
import { GateControl } from '../fixtures/rpc-services.ts';

/** A TCP listener that accepts and then says nothing, handing each socket to the test. */
async function silentListener(t: TestContext): Promise<{ port: number; accepted: Socket[] }> {
  const accepted: Socket[] = [];
  const server = createServer((socket) => accepted.push(socket));
  t.after(() => {
    for (const socket of accepted) socket.destroy();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as { port: number }).port, accepted };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    (value) => assert.fail(`expected a rejection, got ${JSON.stringify(value)}`),
    (error: unknown) => error,
  );
}

async function startGateServer(t: TestContext) {
  const started = await startServer(t);
  const gate = new GateControl();
  started.server.register(gate.service, { name: 'Gate' });
  return { ...started, gate };
}

test('dial fails with ERR_CONNECT_TIMEOUT when an http@ server never answers CONNECT', async (t) => {
  const { port, accepted } = await silentListener(t);
  const error = await rejection(dial(`http@127.0.0.1:${port}`, { connectTimeoutMs: 200 }));
  assert.ok(isRpcError(error, 'ERR_CONNECT_TIMEOUT'));
  assert.match((error as Error).message, /not reached within 200 ms/);
  assert.ok(isTransportError(error));
  assert.equal(accepted.length, 1, 'the TCP connection itself was made');
});

test('dial fails with ERR_DIAL_FAILED when nothing listens, or the CONNECT answer is wrong', async (t) => {
  const { server, address } = await startServer(t);
  await server.destroy();
  const refused = await rejection(dial(address, { connectTimeoutMs: 5000 }));
  assert.ok(isRpcError(refused, 'ERR_DIAL_FAILED'));
  assert.match((refused as Error).message, /ECONNREFUSED/);
  const missing = await rejection(dial(unixSocketAddress(t)));
  assert.ok(isRpcError(missing, 'ERR_DIAL_FAILED'));

  const { port, accepted } = await silentListener(t);
  const dialing = rejection(dial(`http@127.0.0.1:${port}`, { connectTimeoutMs: 5000 }));
  while (accepted.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
  accepted[0]!.end('HTTP/1.0 404 Not Found\r\n\r\n');
  const wrongAnswer = await dialing;
  assert.ok(isRpcError(wrongAnswer, 'ERR_DIAL_FAILED'));
  assert.match((wrongAnswer as Error).message, /unexpected HTTP response "HTTP\/1\.0 404 Not Found"/);
});

test('client options are checked with messages naming the option', async () => {
  for (const [options, pattern] of [
    [{ connectTimeoutMs: -1 }, /options\.connectTimeoutMs/],
    [{ callTimeoutMs: Number.NaN }, /options\.callTimeoutMs/],
    [{ handleTimeoutMs: 2 ** 40 }, /options\.handleTimeoutMs/],
    [{ maxFrameBytes: 0 }, /options\.maxFrameBytes must be a positive integer/],
    [{ codec: 'application/protobuf' as never }, /options\.codec must be/],
  ] as const) {
    assert.throws(() => resolveClientOptions(options), { code: 'ERR_INVALID_ARGUMENT', message: pattern });
    await assert.rejects(dial('tcp@127.0.0.1:1', options), { code: 'ERR_INVALID_ARGUMENT' });
  }
  await assert.rejects(dial('tcp@127.0.0.1'), { code: 'ERR_INVALID_ADDRESS' });
  await assert.rejects(dial('udp@127.0.0.1:1'), { code: 'ERR_INVALID_ADDRESS' });
});

test('sequence numbers start at 1 and grow by one per call', async (t) => {
  const { port, accepted } = await silentListener(t);
  const client = await dial(`tcp@127.0.0.1:${port}`, { codec: 'application/json' });
  t.after(() => client.close());
  const replies = [client.call('A.b', 1), client.call('A.b', 2), client.call('A.b', 3)];
  const peer = RawSocket.accept(accepted[0]!);
  const lines = (await peer.readHandshakeAndLines(6)).lines.split('\n').slice(0, 6);
  assert.deepEqual(
    lines.filter((_, i) => i % 2 === 0).map((line) => JSON.parse(line).Seq),
    [1, 2, 3],
  );
  await peer.write(
    goJsonMessage('A.b', 3, 'three') + goJsonMessage('A.b', 1, 'one') + goJsonMessage('A.b', 2, 'two'),
  );
  assert.deepEqual(await Promise.all(replies), ['one', 'two', 'three']);
});

test('when the connection breaks every pending call fails at once with ERR_CONN_CLOSED', async (t) => {
  const { server, address, gate } = await startGateServer(t);
  const client = await dialFor(t, address);
  const closeCauses: Error[] = [];
  client.onClose((cause) => closeCauses.push(cause));
  const calls = ['a', 'b', 'c'].map((id) => rejection(client.call('Gate.Hold', { id })));
  await Promise.all(['a', 'b', 'c'].map((id) => gate.whenHeld(id)));
  assert.equal(client.pendingCalls, 3);
  await server.destroy();
  for (const error of await Promise.all(calls)) {
    assert.ok(isRpcError(error, 'ERR_CONN_CLOSED'));
    assert.ok(isTransportError(error));
  }
  assert.equal(client.isAvailable(), false);
  assert.equal(client.pendingCalls, 0);
  assert.equal(closeCauses.length, 1);
  assert.ok(isRpcError(await rejection(client.call('Foo.Sum', { Num1: 1, Num2: 1 })), 'ERR_CONN_CLOSED'));
});

test('close() fails pending calls with ERR_CONN_CLOSED and later calls with ERR_CLIENT_CLOSED', async (t) => {
  const { address, gate } = await startGateServer(t);
  const client = await dial(address);
  const pending = rejection(client.call('Gate.Hold', { id: 'p' }));
  await gate.whenHeld('p');
  await client.close();
  assert.ok(isRpcError(await pending, 'ERR_CONN_CLOSED'));
  assert.equal(client.isAvailable(), false);
  const late = await rejection(client.call('Foo.Sum', { Num1: 1, Num2: 1 }));
  assert.ok(isRpcError(late, 'ERR_CLIENT_CLOSED'));
  assert.equal(isTransportError(late), false);
  await client.close();
});

test('an aborted call rejects with ERR_CALL_ABORTED and its late reply is dropped', async (t) => {
  const { address, gate } = await startGateServer(t);
  const client = await dialFor(t, address);
  const controller = new AbortController();
  const aborted = rejection(client.call('Gate.Hold', { id: 'abort-me' }, { signal: controller.signal }));
  const other = client.call('Gate.Hold', { id: 'keep-me' });
  await Promise.all([gate.whenHeld('abort-me'), gate.whenHeld('keep-me')]);
  controller.abort(new Error('user gave up'));
  const error = await aborted;
  assert.ok(isRpcError(error, 'ERR_CALL_ABORTED'));
  assert.equal(((error as Error).cause as Error).message, 'user gave up');
  assert.equal(client.pendingCalls, 1);
  gate.release('abort-me', 'too late');
  // Replies on one connection arrive in the order they were sent: once this one is here, so was the late one.
  assert.equal(await client.call('Foo.Sum', { Num1: 2, Num2: 2 }), 4);
  gate.release('keep-me', 'kept');
  assert.equal(await other, 'kept');
  assert.equal(client.pendingCalls, 0);
  assert.ok(
    isRpcError(
      await rejection(client.call('Foo.Sum', { Num1: 1, Num2: 1 }, { signal: AbortSignal.abort() })),
      'ERR_CALL_ABORTED',
    ),
  );
  assert.equal(client.isAvailable(), true);
});

test('a call past its timeout rejects with ERR_CALL_TIMEOUT and its late reply is dropped', async (t) => {
  const { address, gate } = await startGateServer(t);
  const client = await dialFor(t, address, { callTimeoutMs: 100 });
  const viaDefault = rejection(client.call('Gate.Hold', { id: 'default' }));
  const viaOption = rejection(client.call('Gate.Hold', { id: 'own' }, { timeoutMs: 50 }));
  const untimed = client.call('Gate.Hold', { id: 'none' }, { timeoutMs: 0 });
  for (const [pending, limitMs] of [
    [viaDefault, 100],
    [viaOption, 50],
  ] as const) {
    const error = await pending;
    assert.ok(isRpcError(error, 'ERR_CALL_TIMEOUT'));
    assert.match((error as Error).message, new RegExp(`no reply within ${limitMs} ms`));
  }
  gate.release('default', 'late');
  gate.release('own', 'late');
  assert.equal(await client.call('Foo.Sum', { Num1: 3, Num2: 3 }), 6);
  gate.release('none', 'on time');
  assert.equal(await untimed, 'on time');
  assert.equal(client.pendingCalls, 0);
});

test('calls time out each at its own deadline, never before it, whatever order they were sent in', async (t) => {
  const { port } = await silentListener(t);
  const client = await dialFor(t, `tcp@127.0.0.1:${port}`, { callTimeoutMs: 120 });
  const startMs = performance.now();
  const endedAfterMs = new Map<string, number>();
  const watch = async (name: string, pending: Promise<unknown>) => {
    const error = await rejection(pending);
    assert.ok(isRpcError(error, 'ERR_CALL_TIMEOUT'), `${name}: ${String(error)}`);
    endedAfterMs.set(name, performance.now() - startMs);
  };
  await Promise.all([
    ...Array.from({ length: 200 }, (_, i) => watch(`default ${i}`, client.call('Any.Method', i))),
    watch('longer', client.call('Any.Method', 0, { timeoutMs: 250 })),
    watch('shorter, sent last', client.call('Any.Method', 0, { timeoutMs: 40 })),
  ]);
  const defaults = [...endedAfterMs].filter(([name]) => name.startsWith('default')).map(([, ms]) => ms);
  assert.ok(Math.min(...defaults) >= 120, 'no call ends before its timeout');
  assert.ok(endedAfterMs.get('longer')! >= 250);
  assert.ok(endedAfterMs.get('shorter, sent last')! >= 40);
  assert.ok(
    endedAfterMs.get('shorter, sent last')! <= Math.min(...defaults),
    'the earliest deadline ends first',
  );
  assert.ok(endedAfterMs.get('longer')! >= Math.max(...defaults));
  assert.equal(client.pendingCalls, 0);
});

test('a client built over a socket that is already connected (and past CONNECT) works', async (t) => {
  const { address } = await startServer(t, {}, 'http@127.0.0.1:0');
  const raw = await RawSocket.open(address);
  await raw.write('CONNECT /_geerpc_ HTTP/1.0\n\n');
  await raw.readUntil((bytes) => countByte(bytes, 0x0a) >= 2, 'the CONNECT answer');
  raw.socket.removeAllListeners('data');
  const client = new Client(address, raw.socket, resolveClientOptions({ codec: 'application/json' }));
  t.after(() => client.close());
  assert.equal(await client.call('Foo.Sum', { Num1: 5, Num2: 5 }), 10);
  assert.equal(portOf(client.address), portOf(address));
});
