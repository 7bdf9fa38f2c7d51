import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect, createServer, type Socket } from 'node:net';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, resolveClientOptions } from '../../src/rpc/client.ts';
import { CODEC_NAMES, type CodecName } from '../../src/rpc/codec/codec.ts';
import { getCodec } from '../../src/rpc/codec/codecs.ts';
import { EARLY_FLUSH_BYTES, FrameWriter } from '../../src/rpc/frame-writer.ts';
import { Bench } from '../../src/rpc/server/builtin-services.ts';
import { Server } from '../../src/rpc/server/server.ts';

const CALLS_PER_TURN = 20;

/** Counts the `write` calls made on a socket and their sizes, leaving what they do unchanged. */
function countWrites(socket: Socket): { readonly count: number; readonly sizes: number[] } {
  const counter = { count: 0, sizes: [] as number[] };
  const write = socket.write.bind(socket) as (...args: unknown[]) => boolean;
  socket.write = ((...args: unknown[]) => {
    counter.count++;
    counter.sizes.push((args[0] as Buffer).length);
    return write(...args);
  }) as Socket['write'];
  return counter;
}

/** A Server fed through serveSocket, with every accepted socket's writes and reads counted. */
async function startCountingServer() {
  const rpcServer = new Server().register(new Bench());
  const counts = { writes: { count: 0 }, dataEvents: 0 };
  const listener = createServer((socket) => {
    counts.writes = countWrites(socket);
    socket.on('data', () => counts.dataEvents++);
    rpcServer.serveSocket(socket);
  });
  listener.listen(0, '127.0.0.1');
  await once(listener, 'listening');
  const address = listener.address();
  assert.ok(address !== null && typeof address === 'object');
  return {
    port: address.port,
    counts,
    async close() {
      await rpcServer.close();
      listener.close();
      await once(listener, 'close');
    },
  };
}

/** A Client on its own socket, whose writes are counted from the first one (the handshake's). */
async function connectCountingClient(port: number, codec: CodecName) {
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  const clientWrites = countWrites(socket);
  const client = new Client(`tcp@127.0.0.1:${port}`, socket, resolveClientOptions({ codec }));
  return { client, clientWrites };
}

for (const codec of CODEC_NAMES) {
  test(`${codec}: calls issued in one event-loop turn leave in one socket write`, async () => {
    const server = await startCountingServer();
    const { client, clientWrites } = await connectCountingClient(server.port, codec);
    try {
      const first = Array.from({ length: CALLS_PER_TURN }, (_, i) => client.call('Bench.Echo', { I: i }));
      assert.equal(clientWrites.count, 0, 'nothing is written before the turn ends');
      assert.deepEqual(
        await Promise.all(first),
        first.map((_, i) => ({ I: i })),
      );
      // The handshake travels in the same write as the first calls.
      assert.equal(clientWrites.count, 1);

      const second = Array.from({ length: CALLS_PER_TURN }, (_, i) => client.call('Bench.Echo', i));
      assert.deepEqual(
        await Promise.all(second),
        second.map((_, i) => i),
      );
      assert.equal(clientWrites.count, 2);

      // Replies to calls that arrived together are written together: never one write per reply.
      assert.ok(server.counts.writes.count >= 1);
      assert.ok(
        server.counts.writes.count <= server.counts.dataEvents,
        `${server.counts.writes.count} server writes for ${server.counts.dataEvents} reads`,
      );
    } finally {
      await client.close();
      await server.close();
    }
  });
}

for (const codec of CODEC_NAMES) {
  test(`${codec}: a turn's calls are written in pieces of EARLY_FLUSH_BYTES once they pass it`, async () => {
    const server = await startCountingServer();
    const { client, clientWrites } = await connectCountingClient(server.port, codec);
    try {
      const payload = 'x'.repeat(EARLY_FLUSH_BYTES / 8);
      const calls = Array.from({ length: 40 }, (_, i) =>
        client.call('Bench.Echo', { I: i, Payload: payload }),
      );
      // Written during the turn, without waiting for its end: the server can start on them.
      const writtenInTurn = clientWrites.count;
      assert.ok(writtenInTurn >= 4, `${writtenInTurn} writes during a turn of ${40 * payload.length} bytes`);
      for (const size of clientWrites.sizes) assert.ok(size >= EARLY_FLUSH_BYTES, `a write of ${size} bytes`);
      const replies = await Promise.all(calls);
      assert.deepEqual(
        replies,
        calls.map((_, i) => ({ I: i, Payload: payload })),
      );
      // Whatever was left below the threshold went at the end of the turn, in one write at most.
      assert.ok(clientWrites.count <= writtenInTurn + 1, `${clientWrites.count} writes in all`);
      // The server writes its replies in pieces too, not all at the end of its turn.
      assert.ok(server.counts.writes.count >= 4, `${server.counts.writes.count} server writes`);
    } finally {
      await client.close();
      await server.close();
    }
  });
}

test('frames queued behind a slow reader arrive intact while later batches are encoded', async () => {
  const listener = createServer();
  listener.listen(0, '127.0.0.1');
  await once(listener, 'listening');
  const { port } = listener.address() as { port: number };
  const accepted = once(listener, 'connection');
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  const [reader] = (await accepted) as [Socket];
  reader.pause();
  const codec = getCodec('application/msgpack');
  const writer = new FrameWriter(socket, codec);
  const sent: string[] = [];
  // Enough bytes per turn to fill the kernel's buffers, so that some writes do not finish at once.
  for (let turn = 0; turn < 40; turn++) {
    for (let i = 0; i < 8; i++) {
      const body = `${turn}.${i}:`.padEnd(
        20_000 + turn * 37 + i,
        String.fromCharCode(97 + ((turn + i) % 26)),
      );
      sent.push(body);
      writer.writeMessage({ ServiceMethod: 'Bench.Echo', Seq: sent.length, Error: '' }, body);
    }
    writer.flush();
    await new Promise((resolve) => setImmediate(resolve));
  }
  assert.ok(socket.writableLength > 0, 'the test needs writes left waiting for the reader');
  const received: unknown[] = [];
  const decoder = codec.createDecoder(1 << 24);
  reader.on('data', (chunk: Buffer) => decoder.push(chunk, (value) => received.push(value)));
  reader.resume();
  // Bounded: corrupt frames could leave the decoder waiting for bytes that never come.
  const deadline = Date.now() + 20_000;
  while (received.length < 2 * sent.length && Date.now() < deadline) await sleep(20);
  const bodies = received.filter((_, index) => index % 2 === 1);
  assert.equal(bodies.length, sent.length);
  for (let i = 0; i < sent.length; i++) assert.equal(bodies[i], sent[i], `body ${i}`);
  socket.destroy();
  reader.destroy();
  listener.close();
});
