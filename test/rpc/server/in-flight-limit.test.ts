import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_MAX_IN_FLIGHT_PER_CONNECTION, Server } from '../../../src/rpc/server/server.ts';
import { goOption, msgpackMessage, readMsgpackFrames } from '../../fixtures/rpc-go-wire.ts';
import { Holder, sleep } from '../../fixtures/rpc-holder.ts';
import { RawSocket } from '../../fixtures/rpc-raw-socket.ts';
import { dialFor, HANG_LIMIT, startServer } from '../../fixtures/rpc-server.ts';

const CALLS = 5000;

test(
  `${CALLS} pipelined calls to a handler that holds them: at most maxInFlightPerConnection run, the rest wait unread`,
  HANG_LIMIT,
  async (t) => {
    const { server, address } = await startServer(t);
    const holder = new Holder();
    server.register(holder.service, { name: 'Holder' });
    const raw = await RawSocket.open(address);
    t.after(() => raw.destroy());
    const calls: Buffer[] = [Buffer.from(goOption('application/msgpack'))];
    for (let seq = 1; seq <= CALLS; seq++) calls.push(msgpackMessage('Holder.Hold', seq, null));
    // Not awaited: once the server stops reading, the rest stays in the kernel's buffers.
    void raw.write(Buffer.concat(calls)).catch(() => {});

    let maxInFlight = 0;
    let maxHeld = 0;
    const sample = () => {
      const stats = server.stats();
      for (const connection of stats.perConnection) {
        maxInFlight = Math.max(maxInFlight, connection.inFlight);
        maxHeld = Math.max(maxHeld, connection.held);
      }
    };
    const deadline = Date.now() + 5000;
    while (holder.running < DEFAULT_MAX_IN_FLIGHT_PER_CONNECTION && Date.now() < deadline) {
      sample();
      await sleep(5);
    }
    for (let i = 0; i < 40; i++) {
      sample();
      await sleep(10);
    }
    assert.equal(holder.running, DEFAULT_MAX_IN_FLIGHT_PER_CONNECTION, 'the limit is reached');
    assert.ok(maxInFlight <= DEFAULT_MAX_IN_FLIGHT_PER_CONNECTION, `server.stats() in flight ${maxInFlight}`);
    assert.equal(holder.maxRunning, DEFAULT_MAX_IN_FLIGHT_PER_CONNECTION, 'handlers running at once');
    assert.ok(holder.started < CALLS, `only ${holder.started} of ${CALLS} calls were started`);
    assert.ok(maxHeld < CALLS / 2, `calls decoded ahead of a slot stay few (${maxHeld})`);
    const offender = server.stats().perConnection.find((c) => c.inFlight > 0);
    assert.equal(offender?.reading, false, 'the connection is not read while at its limit');

    const other = await dialFor(t, address, { codec: 'application/json' });
    assert.equal(
      await other.call('Foo.Sum', { Num1: 2, Num2: 3 }),
      5,
      'another client is answered meanwhile',
    );

    holder.release();
    const received = await raw.readUntil(
      (bytes) => readMsgpackFrames(bytes).frames.length >= 2 * CALLS,
      `${CALLS} replies`,
    );
    assert.equal(
      readMsgpackFrames(received).frames.length,
      2 * CALLS,
      'reading resumed: every call answered',
    );
    assert.equal(holder.maxRunning, DEFAULT_MAX_IN_FLIGHT_PER_CONNECTION);
  },
);

test('calls that return at once are not limited in total, only at once', HANG_LIMIT, async (t) => {
  const { address } = await startServer(t, { maxInFlightPerConnection: 2 });
  const client = await dialFor(t, address, { codec: 'application/msgpack' });
  const sums = await Promise.all(
    Array.from({ length: 500 }, (_, i) => client.call('Foo.Sum', { Num1: i, Num2: 1 })),
  );
  assert.deepEqual(
    sums,
    Array.from({ length: 500 }, (_, i) => i + 1),
  );
});

test('maxInFlightPerConnection and the other limits are checked in the constructor', () => {
  for (const [option, value] of [
    ['maxInFlightPerConnection', 0],
    ['maxInFlightPerConnection', 1.5],
    ['maxConnections', 0],
    ['logLinesPerSecond', -1],
    ['idleTimeoutMs', -1],
    ['frameTimeoutMs', 2 ** 40],
  ] as const) {
    assert.throws(() => new Server({ [option]: value }), {
      code: 'ERR_INVALID_ARGUMENT',
      message: new RegExp(`options\\.${option} must be`),
    });
  }
  new Server({ idleTimeoutMs: 0, frameTimeoutMs: 0 });
});
