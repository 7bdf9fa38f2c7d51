import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { writeJsonBody } from '../../../src/rpc/codec/json-body.ts';
import { jsonCodec } from '../../../src/rpc/codec/json-codec.ts';
import { OutputBuffer } from '../../../src/rpc/output-buffer.ts';

const anyNumber = fc.oneof(
  fc.integer(),
  fc.maxSafeInteger(),
  fc.double(),
  fc.constantFrom(0, -0, 2 ** 53, -(2 ** 53), 1e21, 1.5e-7, Number.NaN, Number.POSITIVE_INFINITY, -1e308),
);
const anyText = fc.oneof(
  fc.string({ unit: 'grapheme-ascii', maxLength: 80 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.constantFrom('', 'a"b', 'a\\b', 'line\nbreak', '<&>', '\u2028', 'é'),
);
const anyBody = fc.oneof(
  fc.jsonValue().map((value) => value as unknown),
  fc.record({ Id: anyNumber, Name: anyText, Data: anyText }),
  fc.array(fc.oneof(anyNumber, fc.boolean(), fc.constant(null), anyText), { maxLength: 40 }),
  fc.dictionary(anyText, fc.oneof(anyNumber, anyText, fc.constant(null)), { maxKeys: 8 }),
);

function encoded(value: unknown): string {
  const out = new OutputBuffer();
  jsonCodec.createEncoder().encode(value, out);
  return out.take().toString('utf8');
}

test('bodies are written exactly as JSON.stringify writes them', () => {
  fc.assert(
    fc.property(anyBody, (body) => {
      assert.equal(encoded(body), `${JSON.stringify(body) ?? 'null'}\n`);
    }),
    { numRuns: 2000 },
  );
});

test('values the hand writer leaves alone are written by JSON.stringify', () => {
  class Point {
    constructor(
      readonly x: number,
      readonly y: number,
    ) {}
  }
  const others: unknown[] = [
    undefined,
    { a: undefined, b: 1 },
    [undefined, () => 1],
    new Date(0),
    { when: new Date(0) },
    { toJSON: () => 'mine' },
    new Point(1, 2),
    Object.assign(Object.create(null), { a: 1 }),
    { long: 'x'.repeat(5000) },
    JSON.parse('[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]'),
  ];
  for (const value of others) assert.equal(encoded(value), `${JSON.stringify(value) ?? 'null'}\n`);
  const cyclic: Record<string, unknown> = { a: 1 };
  cyclic.self = cyclic;
  assert.throws(() => encoded(cyclic), TypeError);
  assert.throws(() => encoded({ big: 1n }), TypeError);
});

test('the hand writer answers -1, never writing past its end, when the room is too small', () => {
  for (const value of [{ Name: 'x'.repeat(40) }, [1, 2, 3, 4, 5, 6, 7, 8, 9], 1.5e-300, { flag: true }]) {
    const bytes = Buffer.alloc(64, 0xee);
    assert.equal(writeJsonBody(bytes, 0, 4, value), -1, JSON.stringify(value));
    assert.ok(bytes.subarray(4).every((byte) => byte === 0xee));
  }
  const bytes = Buffer.alloc(64);
  assert.equal(bytes.toString('latin1', 0, writeJsonBody(bytes, 0, 64, { Name: 'abc' })), '{"Name":"abc"}');
});
