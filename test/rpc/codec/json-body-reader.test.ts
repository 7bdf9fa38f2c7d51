import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { ECHO_PAYLOAD } from '../../../src/benchmarks/core/payload.ts';
import { readJsonBody } from '../../../src/rpc/codec/json-body-reader.ts';
import { jsonCodec } from '../../../src/rpc/codec/json-codec.ts';

/** The reader's answer for `text`, read from the middle of a larger buffer as it is in a chunk. */
function read(bytes: Buffer): unknown {
  const chunk = Buffer.concat([Buffer.from('}]"x'), bytes, Buffer.from('"1{')]);
  return readJsonBody(chunk, 4, 4 + bytes.length);
}

/** What the codec did before the reader: the line as UTF-8 text, given to JSON.parse. */
function parsed(bytes: Buffer): { value: unknown } | undefined {
  try {
    return { value: JSON.parse(bytes.toString('utf8')) };
  } catch {
    return undefined;
  }
}

/** A value read by hand is exactly JSON.parse's: same types, -0, key order, own properties. */
function assertAgrees(bytes: Buffer): void {
  const value = read(bytes);
  if (value === undefined) return;
  const expected = parsed(bytes);
  assert.ok(
    expected !== undefined,
    `read by hand, but JSON.parse refuses ${JSON.stringify(bytes.toString('latin1'))}`,
  );
  assert.deepStrictEqual(value, expected.value);
  assert.deepEqual(JSON.stringify(value), JSON.stringify(expected.value), 'same key order');
}

const anyNumberText = fc.oneof(
  fc.double().filter(Number.isFinite).map(String),
  fc.bigInt({ min: -(10n ** 25n), max: 10n ** 25n }).map(String),
  fc.constantFrom(
    '-0',
    '0',
    '1e400',
    '-1e-400',
    '1E+2',
    '0.5e-3',
    '123456789012345',
    '1234567890123456',
    '9007199254740993',
  ),
);

test('a value JSON.stringify writes reads by hand as JSON.parse reads it', () => {
  fc.assert(
    fc.property(fc.jsonValue(), fc.constantFrom(undefined, 1, '\t'), (value, indent) => {
      const bytes = Buffer.from(JSON.stringify(value, null, indent));
      assertAgrees(bytes);
    }),
    { numRuns: 2000 },
  );
});

test('numbers in every form JSON allows read as JSON.parse reads them', () => {
  fc.assert(
    fc.property(fc.array(anyNumberText, { maxLength: 5 }), (numbers) => {
      const bytes = Buffer.from(`[${numbers.join(',')}]`);
      assert.notEqual(read(bytes), undefined, 'plain numbers are read by hand');
      assertAgrees(bytes);
    }),
  );
  assert.ok(Object.is(read(Buffer.from('-0')), -0));
});

test('text made of JSON tokens in any order is read as JSON.parse reads it, or left to it', () => {
  const token = fc.constantFrom(
    '{',
    '}',
    '[',
    ']',
    ',',
    ':',
    ' ',
    '\n',
    '\t',
    '\r',
    '"a"',
    '"b"',
    '""',
    '"é😀"',
    '"\\n"',
    '"\\u0041"',
    '"__proto__"',
    '"\x01"',
    '1',
    '-',
    '0',
    '01',
    '.',
    '5',
    'e',
    'E',
    '+',
    'true',
    'fals',
    'null',
    'nul',
    '\u00a0',
    '\ufeff',
  );
  fc.assert(
    fc.property(fc.array(token, { maxLength: 12 }), (tokens) => assertAgrees(Buffer.from(tokens.join('')))),
    { numRuns: 5000 },
  );
});

test('any bytes are read as JSON.parse reads their UTF-8 text, or left to it', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => assertAgrees(Buffer.from(bytes))),
    { numRuns: 5000 },
  );
  // Invalid UTF-8 inside a string reads as decoding the whole line gives it: replacement characters.
  const broken = Buffer.from([0x22, 0xe2, 0x82, 0x22]);
  assert.equal(read(broken), '\ufffd');
  assertAgrees(broken);
});

test('the common body is read by hand; what JSON.parse must decide is left to it', () => {
  assert.deepStrictEqual(read(Buffer.from(JSON.stringify(ECHO_PAYLOAD))), { ...ECHO_PAYLOAD });
  const leftToParse = [
    '{"__proto__":{"polluted":true}}',
    '"a\\nb"',
    '"tab\there"',
    `${'['.repeat(33)}${']'.repeat(33)}`,
    '01',
    '1.',
    '.5',
    '1e',
    '{"a":1,}',
    '[1,]',
    '{"a" 1}',
    'tru',
    '1 2',
    '',
    '   ',
  ];
  for (const text of leftToParse) assert.equal(read(Buffer.from(text)), undefined, text);
  assert.deepEqual(
    read(Buffer.from(`${'['.repeat(32)}${']'.repeat(32)}`))?.constructor,
    Array,
    '32 levels are read',
  );
});

test('through the codec, a `__proto__` key stays an own property and pollutes nothing', () => {
  const values: unknown[] = [];
  jsonCodec
    .createDecoder(1 << 20)
    .push(Buffer.from('{"__proto__":{"polluted":true},"a":1}\n'), (value) => values.push(value));
  const [value] = values as Record<string, unknown>[];
  assert.deepEqual(Object.keys(value!), ['__proto__', 'a']);
  assert.equal(Object.getPrototypeOf(value), Object.prototype);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});
