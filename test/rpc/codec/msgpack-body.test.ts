import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { Packr } from 'msgpackr';
import { writeBody } from '../../../src/rpc/codec/msgpack-body.ts';
import { NOT_READ, readBody } from '../../../src/rpc/codec/msgpack-body-reader.ts';
import { msgpackCodec } from '../../../src/rpc/codec/msgpack-codec.ts';
import { OutputBuffer } from '../../../src/rpc/output-buffer.ts';

// The options the msgpack codec packs with: plain maps, no records.
const packr = new Packr({ useRecords: false, mapsAsObjects: true });

const anyJsonLike = fc.jsonValue().map((value) => value as unknown);
const anyNumber = fc.oneof(
  fc.integer(),
  fc.integer({ min: -0x8000_0000, max: 0xffff_ffff }),
  fc.double(),
  fc.constantFrom(
    0,
    -0,
    0x7f,
    0x80,
    0xff,
    0x100,
    0xffff,
    0x10000,
    -0x20,
    -0x21,
    -0x80,
    -0x81,
    -0x8000,
    -0x8001,
  ),
);
const anyBody = fc.oneof(
  anyJsonLike,
  fc.record({ Id: anyNumber, Name: fc.string({ unit: 'binary', maxLength: 300 }), Data: fc.string() }),
  fc.array(
    fc.oneof(anyNumber, fc.boolean(), fc.constant(null), fc.string({ unit: 'grapheme', maxLength: 70 })),
  ),
);

function framed(value: unknown): Buffer {
  const out = new OutputBuffer();
  msgpackCodec.createEncoder().encode(value, out);
  return out.take();
}

test('bodies written by hand are exactly the bytes msgpackr packs', () => {
  fc.assert(
    fc.property(anyBody, (body) => {
      const bytes = framed(body);
      const packed = Buffer.from(packr.pack(body ?? null));
      assert.equal(bytes.readUInt32BE(0), packed.length);
      assert.deepEqual(bytes.subarray(4), packed);
    }),
    { numRuns: 1000 },
  );
});

test('values the hand writer leaves alone are packed by msgpackr, framed the same way', () => {
  const others: unknown[] = [
    { a: undefined },
    new Date(0),
    new Map([['k', 1]]),
    Buffer.from('bytes'),
    { big: 2n ** 40n },
    { long: 'x'.repeat(5000) },
    Array.from({ length: 40 }, (_, i) => ({ i, name: `item ${i}` })),
    Object.assign(Object.create(null), { a: 1 }),
    JSON.parse('[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]'),
  ];
  for (const value of others) {
    const bytes = framed(value);
    const packed = Buffer.from(packr.pack(value));
    assert.equal(bytes.readUInt32BE(0), packed.length);
    assert.deepEqual(bytes.subarray(4), packed);
  }
});

test('the hand writer answers -1, never writing past its end, when the room is too small', () => {
  const bytes = Buffer.alloc(64, 0xee);
  assert.equal(writeBody(bytes, 0, 16, { Name: 'x'.repeat(40) }), -1);
  assert.ok(bytes.subarray(16).every((byte) => byte === 0xee));
  assert.equal(writeBody(bytes, 0, 64, { Name: 'abc' }), 12);
});

test('a cyclic value still fails to encode and leaves the output buffer as it was', () => {
  const cyclic: Record<string, unknown> = { a: 1 };
  cyclic.self = cyclic;
  const out = new OutputBuffer();
  const encoder = msgpackCodec.createEncoder();
  encoder.encode({ first: true }, out);
  const before = out.length;
  assert.throws(() => encoder.encode(cyclic, out));
  assert.equal(out.length, before);
});

test('bodies read by hand are what msgpackr unpacks, from its bytes and from a fixmap', () => {
  const decoder = msgpackCodec.createDecoder(1 << 20);
  fc.assert(
    fc.property(anyBody, fc.boolean(), (body, asFixmap) => {
      let packed = Buffer.from(packr.pack(body ?? null));
      // msgpackr renames a `__proto__` key, which the codec keeps (msgpack-proto-key.test.ts).
      fc.pre(!packed.includes('__proto__'));
      // A Go peer writes small maps as fixmaps: rewrite a top-level map16 of under 16 entries so.
      if (asFixmap && packed[0] === 0xde && packed[1] === 0 && packed[2]! < 16) {
        packed = Buffer.concat([Buffer.from([0x80 | packed[2]!]), packed.subarray(3)]);
      }
      const frame = Buffer.alloc(4 + packed.length);
      frame.writeUInt32BE(packed.length, 0);
      packed.copy(frame, 4);
      const values: unknown[] = [];
      decoder.push(frame, (value) => values.push(value));
      assert.deepEqual(values, [packr.unpack(packed)]);
    }),
    { numRuns: 1000 },
  );
  const read = readBody(Buffer.from([0x81, 0xa1, 0x61, 0x01]), 0, 4);
  assert.deepEqual(read, { a: 1 });
  for (const bytes of [
    [0x81, 0xa9, ...Buffer.from('__proto__'), 0x01],
    [0x81, 0xa1, 0x61, 0x01, 0x00],
    [0xa1, 0xe9],
    [0xca, 0, 0, 0, 0],
    [0xcf, 0, 0, 0, 0, 0, 0, 0, 1],
  ]) {
    assert.equal(readBody(Buffer.from(bytes), 0, bytes.length), NOT_READ);
  }
});

test('strings remembered from earlier frames never stand in for different bytes', () => {
  const decoder = msgpackCodec.createDecoder(1 << 20);
  // Same lengths and same first and last bytes: the same memory slots, different text.
  const bodies: unknown[] = [
    { Name: 'axxc', Data: 'x'.repeat(40) },
    { Name: 'aéc', Data: `${'x'.repeat(39)}é` },
    { Name: 'ayyc', Nāme: 'axxc' },
    ['__proto__', { x: '__proto__' }],
    { __proto_: 1, note: '__proto__' },
  ];
  for (const body of [...bodies, ...[...bodies].reverse()]) {
    const values: unknown[] = [];
    decoder.push(framed(body), (value) => values.push(value));
    assert.deepEqual(values, [body]);
  }
});
