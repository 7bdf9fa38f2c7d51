import assert from 'node:assert/strict';
import { test } from 'node:test';
import { goOption, msgpackFrame, msgpackMessage, readMsgpackFrames } from '../../fixtures/rpc-go-wire.ts';
import { Holder, sleep } from '../../fixtures/rpc-holder.ts';
import { RawSocket } from '../../fixtures/rpc-raw-socket.ts';
import { dialFor, HANG_LIMIT, startServer } from '../../fixtures/rpc-server.ts';

async function openRaw(t: { after: (fn: () => void) => void }, address: string): Promise<RawSocket> {
  const raw = await RawSocket.open(address);
  t.after(() => raw.destroy());
  await raw.write(goOption('application/msgpack'));
  return raw;
}

function repliesIn(raw: RawSocket): number {
  return readMsgpackFrames(raw.received).frames.length / 2;
}

test(
  'a connection over maxConnections is closed at once, logged, and the others keep working',
  HANG_LIMIT,
  async (t) => {
    const { server, address, logs } = await startServer(t, { maxConnections: 3 });
    const clients = [];
    for (let i = 0; i < 3; i++) clients.push(await dialFor(t, address, { codec: 'application/json' }));
    const extra = await RawSocket.open(address);
    t.after(() => extra.destroy());
    await extra.waitClosed();
    assert.match(
      await logs.waitFor(/ERR_TOO_MANY_CONNECTIONS/),
      /refusing connection from .*: 3 connections open \(maxConnections\)/,
    );
    assert.equal(server.stats().refusedConnections, 1);
    assert.equal(server.stats().connections, 3);
    for (const [i, client] of clients.entries()) {
      assert.equal(await client.call('Foo.Sum', { Num1: i, Num2: 1 }), i + 1);
    }
    await clients[0]!.close();
    const deadline = Date.now() + 5000;
    while (server.stats().connections > 2 && Date.now() < deadline) await sleep(10);
    const replacement = await dialFor(t, address, { codec: 'application/msgpack' });
    assert.equal(await replacement.call('Foo.Sum', { Num1: 7, Num2: 1 }), 8, 'a freed place can be taken');
  },
);

test(
  'idleTimeoutMs closes a connection with no calls and no bytes; a busy one and one with a call in flight stay',
  HANG_LIMIT,
  async (t) => {
    const { server, address, logs } = await startServer(t, { idleTimeoutMs: 300 });
    const holder = new Holder();
    server.register(holder.service, { name: 'Holder' });
    t.after(() => holder.release());
    const idle = await openRaw(t, address);
    const busy = await openRaw(t, address);
    const holding = await openRaw(t, address);
    await holding.write(msgpackMessage('Holder.Hold', 1, null));
    const started = Date.now();
    let seq = 0;
    const closedAt = idle.waitClosed().then(() => Date.now() - started);
    while (Date.now() - started < 1500) {
      await busy.write(msgpackMessage('Foo.Sum', ++seq, { Num1: seq, Num2: 0 }));
      await sleep(50);
    }
    const idleClosedAfter = await closedAt;
    assert.ok(
      idleClosedAfter >= 250 && idleClosedAfter < 1200,
      `idle connection closed after ${idleClosedAfter} ms`,
    );
    assert.match(
      await logs.waitFor(/ERR_IDLE_TIMEOUT/),
      /no calls and no bytes for 300 ms \(idleTimeoutMs\)/,
    );
    assert.equal(busy.closed, false, 'a connection sending calls is not idle');
    assert.equal(holding.closed, false, 'a connection with a call in flight is not idle');
    await busy.readUntil((bytes) => readMsgpackFrames(bytes).frames.length / 2 >= seq, `${seq} replies`);
    holder.release();
    await holding.readUntil(() => repliesIn(holding) === 1, 'the held reply');
    // Once its call is answered, that connection is idle too.
    await holding.waitClosed();
  },
);

test('a frame trickled one byte every 200 ms is closed after frameTimeoutMs', HANG_LIMIT, async (t) => {
  const { address, logs } = await startServer(t, { frameTimeoutMs: 500 });
  const slow = await openRaw(t, address);
  const steady = await dialFor(t, address, { codec: 'application/msgpack' });
  const frame = msgpackFrame({ ServiceMethod: 'Foo.Sum', Seq: 1, Error: '' });
  const started = Date.now();
  let sent = 0;
  while (!slow.closed && sent < frame.length && Date.now() - started < 8000) {
    await slow.write(frame.subarray(sent, sent + 1)).catch(() => {});
    sent++;
    assert.equal(await steady.call('Foo.Sum', { Num1: sent, Num2: 0 }), sent);
    await sleep(200);
  }
  await slow.waitClosed();
  const after = Date.now() - started;
  assert.ok(sent < frame.length, `closed after ${sent} of ${frame.length} bytes`);
  assert.ok(after >= 450 && after < 2500, `closed after ${after} ms`);
  assert.match(
    await logs.waitFor(/ERR_FRAME_TIMEOUT/),
    /took longer than 500 ms to arrive \(frameTimeoutMs\)/,
  );
  assert.equal(await steady.call('Foo.Sum', { Num1: 1, Num2: 2 }), 3);
});

test(
  'a frame split across writes in time, or left waiting while the server does not read, is not cut off',
  HANG_LIMIT,
  async (t) => {
    const { server, address } = await startServer(t, { frameTimeoutMs: 300, maxInFlightPerConnection: 1 });
    const holder = new Holder();
    server.register(holder.service, { name: 'Holder' });
    const raw = await openRaw(t, address);
    const third = msgpackMessage('Foo.Sum', 3, { Num1: 1, Num2: 2 });
    await raw.write(
      Buffer.concat([msgpackMessage('Holder.Hold', 1, null), msgpackMessage('Holder.Hold', 2, null)]),
    );
    await raw.write(third.subarray(0, 10));
    await sleep(800); // the server holds call 2 and is not reading: the cut frame waits, through no fault of the peer
    assert.equal(raw.closed, false);
    await raw.write(third.subarray(10));
    holder.release();
    await raw.readUntil(() => repliesIn(raw) === 3, 'three replies');
    const halves = msgpackMessage('Foo.Sum', 4, { Num1: 2, Num2: 2 });
    await raw.write(halves.subarray(0, 8));
    await sleep(150);
    await raw.write(halves.subarray(8));
    await raw.readUntil(() => repliesIn(raw) === 4, 'the fourth reply');
    assert.equal(raw.closed, false);
  },
);
