import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { GobDecoder, GobEncoder } from '../../../src/rpc/gob/index.ts';
import { typedValue } from '../../fixtures/gob-arbitraries.ts';

function decodeOne(bytes: Buffer): unknown {
  const values: unknown[] = [];
  new GobDecoder().push(bytes, (value) => values.push(value));
  assert.equal(values.length, 1);
  return values[0];
}

test('random values of random types round-trip, and re-encode to the same bytes', () => {
  fc.assert(
    fc.property(typedValue, ({ type, value }) => {
      const bytes = new GobEncoder().encode(value, type);
      const decoded = decodeOne(bytes);
      assert.deepStrictEqual(decoded, value);
      assert.deepStrictEqual(new GobEncoder().encode(decoded, type), bytes);
    }),
    { numRuns: 500 },
  );
});

test('random values decode the same delivered in random pieces, after other values', () => {
  fc.assert(
    fc.property(
      fc.array(typedValue, { minLength: 1, maxLength: 4 }),
      fc.array(fc.nat(), { maxLength: 8 }),
      (items, cuts) => {
        const encoder = new GobEncoder();
        const bytes = Buffer.concat(items.map(({ type, value }) => encoder.encode(value, type)));
        const points = [...new Set(cuts.map((cut) => cut % (bytes.length + 1)))].sort((a, b) => a - b);
        const decoder = new GobDecoder();
        const values: unknown[] = [];
        let start = 0;
        for (const point of [...points, bytes.length]) {
          decoder.push(bytes.subarray(start, point), (value) => values.push(value));
          start = point;
        }
        assert.deepStrictEqual(
          values,
          items.map(({ value }) => value),
        );
      },
    ),
    { numRuns: 200 },
  );
});
