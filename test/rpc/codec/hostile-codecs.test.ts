import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { C1, Packr } from 'msgpackr';
import { DEFAULT_MAX_FRAME_BYTES } from '../../../src/rpc/codec/codec.ts';
import { jsonCodec } from '../../../src/rpc/codec/json-codec.ts';
import { msgpackCodec } from '../../../src/rpc/codec/msgpack-codec.ts';
import { UndecodableValue } from '../../../src/rpc/undecodable-value.ts';
import { goJsonMessage, goOption, readMsgpackFrames, unpackFrame } from '../../fixtures/rpc-go-wire.ts';
import { RawSocket } from '../../fixtures/rpc-raw-socket.ts';
import { startServer } from '../../fixtures/rpc-server.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const packr = new Packr({ useRecords: false, mapsAsObjects: true });

function lengthPrefixed(body: Buffer): Buffer {
  const prefix = Buffer.alloc(4);
  prefix.writeUInt32BE(body.length, 0);
  return Buffer.concat([prefix, body]);
}

/** The bytes the process holds now, after a full collection: heap and buffers. */
function heldNow(): number {
  gc();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

test('a JSON line pushed a byte per chunk holds a small multiple of its bytes, then decodes', () => {
  const decoder = jsonCodec.createDecoder(DEFAULT_MAX_FRAME_BYTES);
  const chunks = 200_000;
  const line = Buffer.from(`"${'x'.repeat(chunks - 2)}"`);
  const values: unknown[] = [];
  const onValue = (value: unknown) => values.push(value);
  const before = heldNow();
  for (let i = 0; i < chunks; i++) decoder.push(Buffer.from([line[i]!]), onValue);
  const grown = heldNow() - before;
  const held = decoder.heldBytes;
  assert.equal(values.length, 0, 'no newline yet: no value');
  assert.ok(held !== undefined && held >= chunks && held <= 4 * chunks, `heldBytes ${held}`);
  assert.ok(grown < 4 * chunks, `memory grew by ${grown} bytes for a ${chunks}-byte line`);
  decoder.push(Buffer.from('\n'), onValue);
  assert.deepEqual(values, ['x'.repeat(chunks - 2)]);
  assert.equal(decoder.heldBytes, 0, 'nothing held once the line is done');
});

test('a JSON line over maxFrameBytes is refused even when it arrives a byte at a time', () => {
  const decoder = jsonCodec.createDecoder(1000);
  assert.throws(
    () => {
      for (let i = 0; i < 2000; i++) decoder.push(Buffer.from('x'), () => {});
    },
    { code: 'ERR_FRAME_TOO_LARGE' },
  );
  assert.ok((decoder.heldBytes ?? 0) <= 1000);
});

test('a server answers a JSON call sent one byte per write', { timeout: 30_000 }, async (t) => {
  const { address } = await startServer(t);
  const raw = await RawSocket.open(address);
  t.after(() => raw.destroy());
  const payload = 'p'.repeat(4000);
  const bytes = Buffer.from(goOption('application/json') + goJsonMessage('Bench.Echo', 7, payload));
  for (let i = 0; i < bytes.length; i++) await raw.write(bytes.subarray(i, i + 1));
  const lines = (await raw.readLines(2)).split('\n');
  assert.deepEqual(JSON.parse(lines[0]!), { ServiceMethod: 'Bench.Echo', Seq: 7, Error: '' });
  assert.equal(JSON.parse(lines[1]!), payload);
});

test('a msgpack prefix declaring 15 MiB reserves room for what arrived, not what was declared', () => {
  const decoder = msgpackCodec.createDecoder(DEFAULT_MAX_FRAME_BYTES);
  const declared = 15 * 1024 * 1024;
  // A str32 of declared - 5 characters: exactly `declared` bytes of MessagePack.
  const text = 'z'.repeat(declared - 5);
  const frame = lengthPrefixed(packr.pack(text));
  assert.equal(frame.length, 4 + declared);
  const values: unknown[] = [];
  const onValue = (value: unknown) => values.push(value);
  decoder.push(frame.subarray(0, 14), onValue);
  const held = decoder.heldBytes;
  assert.ok(held !== undefined && held >= 10 && held <= 64 * 1024, `heldBytes ${held} after 10 bytes`);
  // The rest in uneven pieces: the room grows with what arrives and never past the frame.
  let offset = 14;
  let piece = 1;
  while (offset < frame.length) {
    const end = Math.min(frame.length, offset + piece);
    decoder.push(frame.subarray(offset, end), onValue);
    offset = end;
    piece = piece * 3 + 7;
    if (offset < frame.length) {
      const room = decoder.heldBytes ?? 0;
      assert.ok(
        room <= declared && room <= Math.max(64 * 1024, 2 * (offset - 4)),
        `room ${room} at ${offset}`,
      );
    }
  }
  assert.equal(values.length, 1);
  assert.equal(values[0], text);
  assert.equal(decoder.heldBytes, 0);
});

test('2,000 msgpack decoders each told 15 MiB is coming hold a few MiB in all, not 30 GB', () => {
  const prefix = Buffer.alloc(14);
  prefix.writeUInt32BE(15 * 1024 * 1024, 0);
  const before = heldNow();
  const decoders = Array.from({ length: 2000 }, () => msgpackCodec.createDecoder(DEFAULT_MAX_FRAME_BYTES));
  for (const decoder of decoders) decoder.push(prefix, () => {});
  const grown = heldNow() - before;
  const held = decoders.reduce((sum, decoder) => sum + (decoder.heldBytes ?? 0), 0);
  assert.ok(held <= 2000 * 64 * 1024, `held ${held}`);
  assert.ok(grown < 256 * 1024 * 1024, `memory grew by ${grown}`);
});

test('msgpack 0xc1 where a value starts is undecodable; the byte inside a value is not', () => {
  const decoder = msgpackCodec.createDecoder(DEFAULT_MAX_FRAME_BYTES);
  const values: unknown[] = [];
  const onValue = (value: unknown) => values.push(value);
  const innocent = [
    packr.pack('\u00c1\u00c1'), // UTF-8 c3 81
    packr.pack(Buffer.from([0xc1, 0xc1])),
    packr.pack(0xc1),
    packr.pack(-63), // 0xc1 as int8 data: d0 c1
    packr.pack({ [String.fromCharCode(0xc1)]: [0xc1, 'a'] }),
  ];
  const hostile = [Buffer.from([0xc1]), Buffer.from([0x92, 0x01, 0xc1]), packr.pack({ a: [1, C1] })];
  assert.ok(hostile[2]!.includes(0xc1));
  // All in one chunk, innocent and hostile frames interleaved, so that one scan serves several.
  const frames = [innocent[0]!, hostile[0]!, innocent[1]!, innocent[2]!, hostile[1]!, innocent[3]!];
  frames.push(hostile[2]!, innocent[4]!);
  decoder.push(Buffer.concat(frames.map(lengthPrefixed)), onValue);
  assert.equal(values.length, frames.length);
  const undecodable = values.map((value) => value instanceof UndecodableValue);
  assert.deepEqual(undecodable, [false, true, false, false, true, false, true, false]);
  assert.match((values[1] as UndecodableValue).reason, /0xc1/);
  assert.deepEqual(values[2], Buffer.from([0xc1, 0xc1]));
  assert.equal(values[3], 0xc1);
  assert.equal(values[5], -63);
  // Each frame alone too, and cut in two, so that the frame is completed from a later chunk.
  for (const [index, body] of frames.entries()) {
    const got: unknown[] = [];
    const framed = lengthPrefixed(body);
    decoder.push(framed.subarray(0, 5), (value) => got.push(value));
    decoder.push(framed.subarray(5), (value) => got.push(value));
    assert.equal(got.length, 1);
    assert.equal(got[0] instanceof UndecodableValue, undecodable[index], `frame ${index}`);
  }
});

test('a msgpack body holding 0xc1 is answered "read body err"; a header holding it closes', async (t) => {
  const { address, logs } = await startServer(t);
  const raw = await RawSocket.open(address);
  t.after(() => raw.destroy());
  const header = lengthPrefixed(packr.pack({ ServiceMethod: 'Bench.Echo', Seq: 3, Error: '' }));
  await raw.write(
    Buffer.concat([
      Buffer.from(goOption('application/msgpack')),
      header,
      lengthPrefixed(Buffer.from([0xc1])),
    ]),
  );
  const received = await raw.readUntil((bytes) => readMsgpackFrames(bytes).frames.length >= 2);
  const [replyHeader, replyBody] = readMsgpackFrames(received).frames.map(unpackFrame);
  assert.equal((replyHeader as { Seq: number }).Seq, 3);
  assert.match((replyHeader as { Error: string }).Error, /^rpc server: read body err: .*0xc1/);
  assert.deepEqual(replyBody, {});
  const badHeader = packr.pack({ ServiceMethod: 'Bench.Echo', Seq: 4, Error: '', Extra: C1 });
  await raw.write(lengthPrefixed(badHeader));
  await raw.waitClosed();
  assert.match(await logs.waitFor(/ERR_BAD_FRAME/), /read header error: .*0xc1/);
});
