import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { Packr } from 'msgpackr';
import { msgpackCodec } from '../../../src/rpc/codec/msgpack-codec.ts';
import {
  canWriteHeader,
  maxHeaderBytes,
  readHeader,
  writeHeader,
} from '../../../src/rpc/codec/msgpack-header.ts';
import type { Header } from '../../../src/rpc/header.ts';
import { OutputBuffer } from '../../../src/rpc/output-buffer.ts';

// The options the msgpack codec packs with: plain maps, no records.
const packr = new Packr({ useRecords: false, mapsAsObjects: true });

const anyText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.string({ unit: 'grapheme-ascii', minLength: 20, maxLength: 300 }),
);
const anyHeader = fc
  .tuple(
    anyText,
    fc.oneof(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 0xffff_ffff })),
    anyText,
  )
  .map(([serviceMethod, seq, error]): Header => ({ ServiceMethod: serviceMethod, Seq: seq, Error: error }));

function written(header: Header): Buffer {
  const bytes = Buffer.alloc(maxHeaderBytes(header) + 8);
  return bytes.subarray(0, writeHeader(bytes, 0, header));
}

test('writeHeader writes exactly the bytes msgpackr packs, and readHeader reads them back', () => {
  fc.assert(
    fc.property(anyHeader, (header) => {
      assert.ok(canWriteHeader(header));
      const bytes = written(header);
      assert.deepEqual(bytes, Buffer.from(packr.pack(header)));
      assert.deepEqual(readHeader(bytes, 0, bytes.length), header);
    }),
    { numRuns: 500 },
  );
});

test('a header string too long for a str16 is written as a str32', () => {
  const header = { ServiceMethod: 'Bench.Echo', Seq: 7, Error: 'e'.repeat(70_000) };
  const bytes = written(header);
  assert.deepEqual(bytes, Buffer.from(packr.pack(header)));
  assert.deepEqual(readHeader(bytes, 0, bytes.length), header);
});

test('readHeader reads the fixmap a Go peer writes, in the middle of a larger buffer', () => {
  const go = Buffer.concat([
    Buffer.from([0xff, 0x83, 0xad]),
    Buffer.from('ServiceMethod'),
    Buffer.from([0xa7]),
    Buffer.from('Foo.Sum'),
    Buffer.from([0xa3]),
    Buffer.from('Seq'),
    Buffer.from([0xcd, 0x01, 0x00]),
    Buffer.from([0xa5]),
    Buffer.from('Error'),
    Buffer.from([0xa0, 0xff]),
  ]);
  assert.deepEqual(readHeader(go, 1, go.length - 1), { ServiceMethod: 'Foo.Sum', Seq: 256, Error: '' });
});

test('readHeader leaves every other form to msgpackr', () => {
  const others: unknown[] = [
    { Seq: 1, ServiceMethod: 'Foo.Sum', Error: '' },
    { ServiceMethod: 'Foo.Sum', Seq: 1.5, Error: '' },
    { ServiceMethod: 'Foo.Sum', Seq: -1, Error: '' },
    { ServiceMethod: 'Foo.Sum', Seq: 2 ** 40, Error: '' },
    { ServiceMethod: 'Foo.Sum', Seq: 1 },
    { ServiceMethod: 'Foo.Sum', Seq: 1, Error: '', Extra: 1 },
    { ServiceMethod: 42, Seq: 1, Error: '' },
    ['Foo.Sum', 1, ''],
    'Foo.Sum',
  ];
  for (const value of others) {
    const bytes = Buffer.from(packr.pack(value));
    assert.equal(readHeader(bytes, 0, bytes.length), undefined, JSON.stringify(value));
  }
  const whole = written({ ServiceMethod: 'Foo.Sum', Seq: 1, Error: '' });
  for (let end = 0; end < whole.length; end++) {
    assert.equal(readHeader(whole, 0, end), undefined, `cut after ${end} bytes`);
  }
  assert.equal(readHeader(Buffer.concat([whole, Buffer.from([0])]), 0, whole.length + 1), undefined);
});

test('canWriteHeader refuses a Seq msgpackr must encode some other way', () => {
  for (const Seq of [-1, 1.5, 2 ** 32, Number.NaN]) {
    assert.equal(canWriteHeader({ ServiceMethod: 'Foo.Sum', Seq, Error: '' }), false, String(Seq));
  }
});

test('method names of the same length read one after another each come back as written', () => {
  const methods = ['Foo.Sum', 'Foo.Max', 'Foo.Sum', 'Bar.Sum', 'Foo.Sum', 'Foo.Su\u00e9'];
  for (const [seq, method] of methods.entries()) {
    const bytes = written({ ServiceMethod: method, Seq: seq, Error: method });
    assert.deepEqual(readHeader(bytes, 0, bytes.length), { ServiceMethod: method, Seq: seq, Error: method });
  }
});

const anyMethod = fc.oneof(
  fc.constantFrom('Bench.Echo', 'Arith.Sum', 'Arith.Max', 'Bench.Echó', '服务.方法'),
  fc.string({ unit: 'grapheme', maxLength: 90 }),
  fc.string({ unit: 'grapheme-ascii', minLength: 60, maxLength: 200 }),
);
const anyError = fc.oneof(fc.constant(''), fc.constant(''), anyText);
const anySeq = fc.oneof(
  fc.integer({ min: 0, max: 0xffff_ffff }),
  fc.maxSafeNat(),
  fc.constantFrom(0, 0x7f, 0x80, 0xff, 0x100, 0xffff, 0x10000, 0xffff_ffff, 2 ** 32, 2 ** 53 - 1),
);

test('headers through the codec, one stream after another, read back as written by both the codec and msgpackr', () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(anyMethod, anySeq, anyError), { minLength: 1, maxLength: 12 }),
      (tuples) => {
        const headers = tuples.map(
          ([method, seq, error]): Header => ({ ServiceMethod: method, Seq: seq, Error: error }),
        );
        const out = new OutputBuffer();
        const encoder = msgpackCodec.createEncoder();
        for (const header of headers) encoder.encodeHeader(header, out);
        const stream = out.take();
        const decoded: unknown[] = [];
        msgpackCodec.createDecoder(1 << 20).push(stream, (value) => decoded.push(value));
        assert.deepEqual(decoded, headers);
        let at = 0;
        for (const header of headers) {
          const length = stream.readUInt32BE(at);
          const frame = stream.subarray(at + 4, at + 4 + length);
          // Bytes compared as hex: msgpackr's unpack() hangs a DataView on the buffer it reads.
          if (canWriteHeader(header)) assert.equal(frame.toString('hex'), packr.pack(header).toString('hex'));
          assert.deepEqual(packr.unpack(frame), header);
          at += 4 + length;
        }
        assert.equal(at, stream.length);
      },
    ),
    { numRuns: 500 },
  );
});

test('readHeader refuses a header whose empty Error is followed by more bytes', () => {
  const whole = written({ ServiceMethod: 'Foo.Sum', Seq: 1, Error: '' });
  const longer = Buffer.concat([whole, Buffer.from([0xa5, ...Buffer.from('Error'), 0xa1, 0x78])]);
  // Once with the bytes before Seq remembered from a header read just before, once without.
  assert.deepEqual(readHeader(whole, 0, whole.length), { ServiceMethod: 'Foo.Sum', Seq: 1, Error: '' });
  assert.equal(readHeader(longer, 0, longer.length), undefined);
  const other = written({ ServiceMethod: 'Bar.Max', Seq: 2, Error: '' });
  readHeader(other, 0, other.length);
  assert.equal(readHeader(longer, 0, longer.length), undefined);
});
