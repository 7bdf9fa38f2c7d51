import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { test } from 'node:test';
import { DEFAULT_CONNECT_TIMEOUT_MS } from '../../../src/rpc/client.ts';
import { dial } from '../../../src/rpc/dial.ts';
import { encodeHandshake } from '../../../src/rpc/handshake.ts';
import {
  goOption,
  msgpackFrame,
  msgpackMessage,
  readMsgpackFrames,
  unpackFrame,
} from '../../fixtures/rpc-go-wire.ts';
import { RawSocket } from '../../fixtures/rpc-raw-socket.ts';
import { startServer } from '../../fixtures/rpc-server.ts';

test('replies are u32 big-endian length-prefixed plain MessagePack maps', async (t) => {
  const { address } = await startServer(t);
  const raw = await RawSocket.open(address);
  t.after(() => raw.destroy());
  await raw.write(
    Buffer.concat([
      Buffer.from(goOption('application/msgpack')),
      msgpackMessage('Foo.Sum', 1, { Num1: 1, Num2: 2 }),
    ]),
  );
  const received = await raw.readUntil((bytes) => readMsgpackFrames(bytes).frames.length >= 2, 'two frames');
  const { frames, rest } = readMsgpackFrames(received);
  assert.equal(rest.length, 0);
  assert.equal(received.readUInt32BE(0), frames[0]!.length);
  const first = frames[0]![0]!;
  const isMap = (first >= 0x80 && first <= 0x8f) || first === 0xde || first === 0xdf;
  assert.ok(
    isMap,
    `the header is a plain MessagePack map, not a msgpackr record (first byte 0x${first.toString(16)})`,
  );
  assert.deepEqual(unpackFrame(frames[0]!), { ServiceMethod: 'Foo.Sum', Seq: 1, Error: '' });
  assert.deepEqual(frames[1], Buffer.from([0x03]));
});

test('a frame split at every byte boundary, prefix included, is reassembled', async (t) => {
  const { address } = await startServer(t);
  const raw = await RawSocket.open(address);
  t.after(() => raw.destroy());
  await raw.write(goOption('application/msgpack'));
  const payload = { text: 'x'.repeat(300), list: [1, 2, 3] };
  await raw.writeByteByByte(msgpackMessage('Bench.Echo', 9, payload));
  const received = await raw.readUntil((bytes) => readMsgpackFrames(bytes).frames.length >= 2, 'two frames');
  const [header, body] = readMsgpackFrames(received).frames.map(unpackFrame);
  assert.deepEqual(header, { ServiceMethod: 'Bench.Echo', Seq: 9, Error: '' });
  assert.deepEqual(body, payload);
});

test('our msgpack client sends the handshake line then length-prefixed frames', async (t) => {
  const fake = createServer();
  // Hooks run in the order they were added: the accepted socket is destroyed inside this one.
  let peerSocket: RawSocket | undefined;
  t.after(() => {
    peerSocket?.destroy();
    return new Promise<void>((resolve) => fake.close(() => resolve()));
  });
  const accepted = new Promise<RawSocket>((resolve) =>
    fake.once('connection', (socket) => resolve(RawSocket.accept(socket))),
  );
  await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
  const { port } = fake.address() as { port: number };
  const client = await dial(`tcp@127.0.0.1:${port}`, { codec: 'application/msgpack', handleTimeoutMs: 250 });
  t.after(() => client.close());
  const peer = await accepted;
  peerSocket = peer;
  const reply = client.call('Foo.Sum', { Num1: 1, Num2: 2 });
  const option = encodeHandshake({
    codec: 'application/msgpack',
    connectTimeoutMs: DEFAULT_CONNECT_TIMEOUT_MS,
    handleTimeoutMs: 250,
  }).toString();
  const expected = Buffer.concat([Buffer.from(option), msgpackMessage('Foo.Sum', 1, { Num1: 1, Num2: 2 })]);
  await peer.readUntil((bytes) => bytes.length >= expected.length, 'handshake and call');
  assert.equal(peer.received.subarray(0, option.length).toString(), option);
  const { frames, rest } = readMsgpackFrames(peer.received.subarray(option.length));
  assert.equal(rest.length, 0);
  assert.deepEqual(frames.map(unpackFrame), [
    { ServiceMethod: 'Foo.Sum', Seq: 1, Error: '' },
    { Num1: 1, Num2: 2 },
  ]);
  await peer.write(
    Buffer.concat([msgpackFrame({ ServiceMethod: 'Foo.Sum', Seq: 1, Error: '' }), msgpackFrame(3)]),
  );
  assert.equal(await reply, 3);
});
