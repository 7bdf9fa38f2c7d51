// Decoded gob values keep the Go type they arrived as, so sending them again encodes that type.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GO_WIRE_TYPE, GobDecoder, GobEncoder, gob, goWireTypeOf } from '../../../src/rpc/gob/index.ts';

const Reading = gob.struct('Reading', {
  U8: gob.uint8,
  Whole: gob.float64,
  Empty: gob.slice(gob.int),
  ByName: gob.map(gob.string, gob.int),
  ById: gob.map(gob.int, gob.string),
  Big: gob.uint64,
});

function decodeOne(bytes: Buffer): unknown {
  const values: unknown[] = [];
  new GobDecoder().push(bytes, (value) => values.push(value));
  assert.equal(values.length, 1);
  return values[0];
}

test('a decoded struct sent again untyped encodes the Go types its typed original had', () => {
  const original = {
    U8: 255,
    Whole: 3,
    Empty: [],
    ByName: { a: 1 },
    ById: new Map([[2, 'b']]),
    Big: 2n ** 64n - 1n,
  };
  const sent = new GobEncoder().encode(gob.typed(Reading, original));
  const decoded = decodeOne(sent) as Record<string, unknown>;
  assert.deepEqual(decoded, original, 'a plain value: the type is not an enumerable property');
  assert.deepEqual(Object.keys(decoded), Object.keys(original));
  assert.equal(
    JSON.stringify({ ...decoded, ById: undefined, Big: undefined }),
    '{"U8":255,"Whole":3,"Empty":[],"ByName":{"a":1}}',
  );
  assert.equal(goWireTypeOf(decoded)?.kind, 'struct');
  assert.equal(goWireTypeOf(decoded.ByName)?.kind, 'map');
  // A copy loses the struct's type (U8 and Whole then infer as int); the decoded value does not.
  assert.notDeepEqual(new GobEncoder().encode({ ...decoded }), sent);
  // Sent again: the same wire types (uint, float, a typed empty slice, maps) and values. Type
  // names may differ (ints travel as int64, whose slice is named []int64); Go never checks them.
  const again = decodeOne(new GobEncoder().encode(decoded));
  assert.deepEqual(again, original);
  assert.ok(Object.is((again as { Whole: number }).Whole, 3));
  assert.deepEqual(goWireTypeOf(again), goWireTypeOf(decoded));
});

test('values that inference types alike carry nothing: ints, strings, structs of those', () => {
  const Args = gob.struct('Args', { Num1: gob.int, Name: gob.string });
  const decoded = decodeOne(new GobEncoder().encode(gob.typed(Args, { Num1: 1, Name: 'x' }))) as object;
  assert.equal(Object.getOwnPropertySymbols(decoded).includes(GO_WIRE_TYPE), false);
  assert.equal(goWireTypeOf(decoded), undefined);
});
