import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { GobDecoder, GobEncoder, gob, inferGobType } from '../../../src/rpc/gob/index.ts';
import { OutputBuffer } from '../../../src/rpc/output-buffer.ts';
import { flatRecord } from '../../fixtures/gob-arbitraries.ts';

/** Values close to one shape and unlike it in every way the shape writer must notice. */
const nearShapes = fc.oneof(
  flatRecord,
  fc.constantFrom<unknown>(
    { Id: 1, Name: 'a', Data: 'b' },
    { Id: 0, Name: '', Data: '' },
    { Id: -0, Name: 'a', Data: 'b' },
    { Id: 1.5, Name: 'a', Data: 'b' },
    { Id: 2 ** 60, Name: 'a', Data: 'b' },
    { Name: 'a', Id: 1, Data: 'b' },
    { Id: 1, Name: 'a' },
    { Id: 1, Name: 'a', Data: 'b', More: true },
    { Id: 1, Name: null, Data: 'b' },
    { Id: 1, Name: 'a', Data: undefined },
    { Id: '1', Name: 'a', Data: 'b' },
    { Id: 1n, Name: 'a', Data: 'b' },
    { Id: 1, Name: 'a', Data: Buffer.from('b') },
    { Id: 1, Name: 'a', Data: gob.typed(gob.string, 'b') },
    { Id: 1, Name: { First: 'a' }, Data: 'b' },
    { Id: 1, Name: ['a'], Data: 'b' },
    Object.assign(Object.create(null), { Id: 1, Name: 'a', Data: 'b' }),
    {},
    null,
    ['a'],
    'text',
    7,
  ),
);

test('values written by the shape of the last struct are byte for byte what the general path writes', () => {
  fc.assert(
    fc.property(fc.array(nearShapes, { minLength: 1, maxLength: 12 }), (values) => {
      const fast = new GobEncoder();
      const general = new GobEncoder();
      const out = new OutputBuffer();
      const expected: Buffer[] = [];
      for (const value of values) {
        fast.encodeInto(value, undefined, out);
        // A type given writes through the plan, never through a shape.
        expected.push(general.encode(value, inferGobType(value)));
      }
      const bytes = out.take();
      assert.deepEqual(bytes, Buffer.concat(expected));
      const decoded: unknown[] = [];
      new GobDecoder().push(bytes, (value) => decoded.push(value));
      assert.equal(decoded.length, values.length);
    }),
    { numRuns: 400 },
  );
});

test('a value the shape writer gives up on half-way leaves the buffer as it was, and is written the general way', () => {
  const encoder = new GobEncoder();
  const out = new OutputBuffer();
  encoder.encodeInto({ Name: 'a', Data: 'b' }, undefined, out);
  const before = out.length;
  // The long string outgrows the buffer before the shape writer meets the number.
  const long = 'x'.repeat(40_000);
  encoder.encodeInto({ Name: long, Data: 1 }, undefined, out);
  const values: unknown[] = [];
  new GobDecoder().push(out.take(), (value) => values.push(value));
  assert.ok(before > 0);
  assert.deepEqual(values, [
    { Name: 'a', Data: 'b' },
    { Name: long, Data: 1 },
  ]);
});

test('a value that cannot be sent appends nothing, even after the buffer grew for it', () => {
  const encoder = new GobEncoder();
  const out = new OutputBuffer();
  encoder.encodeInto({ Name: 'a' }, undefined, out);
  const length = out.length;
  assert.throws(
    () => encoder.encodeInto({ Name: 'x'.repeat(40_000), Call: () => 1 }, undefined, out),
    /value\.Call/,
  );
  assert.equal(out.length, length);
  encoder.encodeInto({ Name: 'b' }, undefined, out);
  const values: unknown[] = [];
  new GobDecoder().push(out.take(), (value) => values.push(value));
  assert.deepEqual(values, [{ Name: 'a' }, { Name: 'b' }]);
});
