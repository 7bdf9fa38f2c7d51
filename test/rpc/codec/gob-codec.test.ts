import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { gobCodec } from '../../../src/rpc/codec/gob-codec.ts';
import { GobDecoder, GobEncoder, gob } from '../../../src/rpc/gob/index.ts';
import { OutputBuffer } from '../../../src/rpc/output-buffer.ts';

const HEADER = gob.struct('Header', { ServiceMethod: gob.string, Seq: gob.uint64, Error: gob.string });

const headers = fc.array(
  fc.record({
    ServiceMethod: fc.oneof(
      fc.constant(''),
      fc.constant('Foo.Sum'),
      fc.string({ maxLength: 60 }),
      fc.string({ unit: 'grapheme', maxLength: 50 }),
    ),
    Seq: fc.oneof(fc.constant(0), fc.nat(200), fc.maxSafeNat()),
    Error: fc.oneof(
      fc.constant(''),
      fc.string({ maxLength: 80 }),
      fc.string({ unit: 'grapheme', maxLength: 45 }),
    ),
  }),
  { minLength: 1, maxLength: 8 },
);

test('gob headers written without the encoder are byte for byte what the encoder writes', () => {
  fc.assert(
    fc.property(headers, (list) => {
      const codecEncoder = gobCodec.createEncoder();
      const reference = new GobEncoder();
      const out = new OutputBuffer();
      const expected: Buffer[] = [];
      for (const header of list) {
        codecEncoder.encodeHeader(header, out);
        expected.push(reference.encode(header, HEADER));
      }
      assert.deepEqual(out.take(), Buffer.concat(expected));
    }),
    { numRuns: 300 },
  );
});

test('gob headers and bodies decode back on one stream, as GeeRPC sends them', () => {
  const encoder = gobCodec.createEncoder();
  const out = new OutputBuffer();
  encoder.encodeHeader({ ServiceMethod: 'Foo.Sum', Seq: 1, Error: '' }, out);
  encoder.encode({ Num1: 1, Num2: 2 }, out);
  encoder.encodeHeader({ ServiceMethod: 'Foo.Sum', Seq: 2, Error: 'rpc server: boom' }, out);
  encoder.encode(null, out);
  const values: unknown[] = [];
  new GobDecoder().push(out.take(), (value) => values.push(value));
  assert.deepEqual(values, [
    { ServiceMethod: 'Foo.Sum', Seq: 1, Error: '' },
    { Num1: 1, Num2: 2 },
    { ServiceMethod: 'Foo.Sum', Seq: 2, Error: 'rpc server: boom' },
    {},
  ]);
});

test('a gob frame over maxFrameBytes is ERR_FRAME_TOO_LARGE, as for every codec', () => {
  const encoder = gobCodec.createEncoder();
  const out = new OutputBuffer();
  encoder.encode({ Data: 'x'.repeat(200) }, out);
  assert.throws(() => gobCodec.createDecoder(64).push(out.take(), () => {}), { code: 'ERR_FRAME_TOO_LARGE' });
});
