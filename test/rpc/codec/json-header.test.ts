import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { jsonCodec } from '../../../src/rpc/codec/json-codec.ts';
import { canWriteJsonHeader, readJsonHeader } from '../../../src/rpc/codec/json-header.ts';
import type { Header } from '../../../src/rpc/header.ts';
import { OutputBuffer } from '../../../src/rpc/output-buffer.ts';

const anyHeader = fc
  .tuple(
    fc.oneof(fc.string({ unit: 'binary', maxLength: 80 }), fc.string({ maxLength: 80 })),
    fc.oneof(fc.integer({ min: 0, max: 300 }), fc.maxSafeNat()),
    fc.oneof(fc.constant(''), fc.string({ unit: 'binary', maxLength: 80 }), fc.string({ maxLength: 80 })),
  )
  .map(([serviceMethod, seq, error]): Header => ({ ServiceMethod: serviceMethod, Seq: seq, Error: error }));

function decodeAll(bytes: Buffer): unknown[] {
  const values: unknown[] = [];
  jsonCodec.createDecoder(1 << 20).push(bytes, (value) => values.push(value));
  return values;
}

test('headers are written exactly as JSON.stringify writes them, and read back', () => {
  fc.assert(
    fc.property(anyHeader, (header) => {
      const out = new OutputBuffer();
      jsonCodec.createEncoder().encodeHeader(header, out);
      const bytes = out.take();
      assert.equal(bytes.toString('utf8'), `${JSON.stringify(header)}\n`);
      assert.deepEqual(decodeAll(bytes), [header]);
    }),
    { numRuns: 1000 },
  );
});

test('the hand reader takes the plain form only and leaves the rest to JSON.parse', () => {
  const plain = Buffer.from('{"ServiceMethod":"Foo.Sum","Seq":42,"Error":""}');
  assert.deepEqual(readJsonHeader(plain, 0, plain.length), { ServiceMethod: 'Foo.Sum', Seq: 42, Error: '' });
  for (const line of [
    '{"ServiceMethod":"Foo.Sum","Seq":042,"Error":""}',
    '{"ServiceMethod":"Foo.Sum","Seq":4.5,"Error":""}',
    '{"ServiceMethod":"Foo.Sum","Seq":99999999999999999,"Error":""}',
    '{"ServiceMethod":"Foo\\"Sum","Seq":1,"Error":""}',
    '{"ServiceMethod":"Foo.Sum","Seq":1,"Error":""} ',
    '{"ServiceMethod":"Foo.Sum","Seq":1,"Error":"x"',
    '{"Seq":1,"ServiceMethod":"Foo.Sum","Error":""}',
    '{"ServiceMethod":"Fö.Sum","Seq":1,"Error":""}',
  ]) {
    const bytes = Buffer.from(line);
    assert.equal(readJsonHeader(bytes, 0, bytes.length), undefined, line);
  }
  // Whatever the hand reader refuses still decodes as JSON does.
  const values = decodeAll(Buffer.from('{"ServiceMethod":"Foo\\"Sum","Seq":1,"Error":""}\r\n'));
  assert.deepEqual(values, [{ ServiceMethod: 'Foo"Sum', Seq: 1, Error: '' }]);
});

test('method names read one after another each come back as written', () => {
  const lines = ['A.aa', 'A.bb', 'A.bb', 'A.aa', 'B.cc']
    .map((method, seq) => `{"ServiceMethod":"${method}","Seq":${seq},"Error":""}\n`)
    .join('');
  const values = decodeAll(Buffer.from(lines)) as Header[];
  assert.deepEqual(
    values.map((header) => header.ServiceMethod),
    ['A.aa', 'A.bb', 'A.bb', 'A.aa', 'B.cc'],
  );
  assert.ok(!canWriteJsonHeader({ ServiceMethod: 'x', Seq: -1, Error: '' }));
});

test('header streams with methods repeating, plain or not, are written as JSON.stringify writes them and read back', () => {
  const anyMethod = fc.oneof(
    fc.constantFrom('Bench.Echo', 'Arith.Sum', 'Arith.Max', 'Bench.Echó', 'A"B', '服务.方法'),
    fc.string({ unit: 'grapheme-ascii', minLength: 60, maxLength: 200 }),
  );
  const anySeq = fc.oneof(fc.maxSafeNat(), fc.constantFrom(0, 9, 10, 0x7fff_ffff, 0x8000_0000, 2 ** 53 - 1));
  fc.assert(
    fc.property(
      fc.array(fc.tuple(anyMethod, anySeq, fc.constantFrom('', 'failed')), { maxLength: 12 }),
      (tuples) => {
        const headers = tuples.map(
          ([method, seq, error]): Header => ({ ServiceMethod: method, Seq: seq, Error: error }),
        );
        const out = new OutputBuffer();
        const encoder = jsonCodec.createEncoder();
        for (const header of headers) encoder.encodeHeader(header, out);
        const bytes = out.take();
        assert.equal(bytes.toString('utf8'), headers.map((header) => `${JSON.stringify(header)}\n`).join(''));
        assert.deepEqual(decodeAll(bytes), headers);
      },
    ),
    { numRuns: 500 },
  );
});
