import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { GobDecoder, GobEncoder, type GobType, gob } from '../src/rpc/gob/index.ts';

const SCALARS: GobType[] = [
  gob.bool,
  gob.int,
  gob.int8,
  gob.int16,
  gob.int32,
  gob.int64,
  gob.uint,
  gob.uint8,
  gob.uint16,
  gob.uint32,
  gob.uint64,
  gob.float32,
  gob.float64,
  gob.string,
  gob.bytes,
];
const MAP_KEYS: GobType[] = [gob.string, gob.int, gob.uint8, gob.bool];

const fieldName = fc.stringMatching(/^[A-Z][A-Za-z0-9_]{0,5}$/);

function typeArbitrary(depth: number): fc.Arbitrary<GobType> {
  const scalar = fc.constantFrom(...SCALARS);
  if (depth === 0) return scalar;
  const inner = typeArbitrary(depth - 1);
  return fc.oneof(
    { arbitrary: scalar, weight: 3 },
    inner.map((elem) => gob.slice(elem)),
    fc.tuple(inner, fc.nat(3)).map(([elem, length]) => gob.array(elem, length)),
    fc.tuple(fc.constantFrom(...MAP_KEYS), inner).map(([key, elem]) => gob.map(key, elem)),
    fc
      .tuple(
        fc.constantFrom('', 'T', 'main.Thing'),
        fc.uniqueArray(fc.tuple(fieldName, inner), { selector: ([name]) => name, maxLength: 4 }),
      )
      .map(([name, fields]) => gob.struct(name, Object.fromEntries(fields))),
  );
}

/** What the decoder hands back for an integer: a number while safe, else a bigint. */
function canonical(value: bigint): number | bigint {
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
    ? Number(value)
    : value;
}

function bigRange(min: bigint, max: bigint): fc.Arbitrary<number | bigint> {
  return fc.oneof(fc.bigInt(min, max), fc.bigInt(min > -100n ? min : -100n, 100n)).map(canonical);
}

/** -0 is 0 once it has been a struct field, where gob drops it: generate plain 0. */
const noNegativeZero = (value: number): number => (Object.is(value, -0) ? 0 : value);

/** Values as the decoder hands them back: every struct field present, maps keyed by string as objects. */
function valueArbitrary(type: GobType): fc.Arbitrary<unknown> {
  switch (type.kind) {
    case 'bool':
      return fc.boolean();
    case 'int': {
      const bits = { int: 64n, int8: 8n, int16: 16n, int32: 32n, int64: 64n }[type.goName];
      return bigRange(-(1n << (bits - 1n)), (1n << (bits - 1n)) - 1n);
    }
    case 'uint': {
      const bits = { uint: 64n, uint8: 8n, uint16: 16n, uint32: 32n, uint64: 64n }[type.goName];
      return bigRange(0n, (1n << bits) - 1n);
    }
    case 'float':
      return (type.goName === 'float32' ? fc.float() : fc.double()).map(noNegativeZero);
    case 'string':
      return fc.string({ unit: 'grapheme', maxLength: 8 });
    case 'bytes':
      return fc.uint8Array({ maxLength: 8 }).map((bytes) => Buffer.from(bytes));
    case 'slice':
      return fc.array(valueArbitrary(type.elem), { maxLength: 3 });
    case 'array':
      return fc.array(valueArbitrary(type.elem), { minLength: type.length, maxLength: type.length });
    case 'map': {
      if (type.key.kind === 'string') {
        // Keys that are not array indexes: JavaScript objects list those first, whatever their order.
        const key = fc.stringMatching(/^[a-z][a-z0-9]{0,4}$/);
        return fc
          .uniqueArray(fc.tuple(key, valueArbitrary(type.elem)), { selector: ([k]) => k, maxLength: 3 })
          .map((entries) => Object.fromEntries(entries));
      }
      return fc
        .uniqueArray(fc.tuple(valueArbitrary(type.key), valueArbitrary(type.elem)), {
          selector: ([k]) => k,
          maxLength: 3,
        })
        .map((entries) => new Map(entries));
    }
    case 'struct':
      return fc.record(
        Object.fromEntries(type.fields.map((field) => [field.name, valueArbitrary(field.type)])),
        {
          noNullPrototype: true,
        },
      );
  }
}

const typedValue = typeArbitrary(3).chain((type) => valueArbitrary(type).map((value) => ({ type, value })));

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
