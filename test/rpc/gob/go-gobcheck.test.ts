// The gob checker (go-peer gobcheck): Go's encoding/gob as an oracle for a gob codec in TypeScript.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { type GobTypeDesc, GoGobChecker } from '../../fixtures/go-gob-checker.ts';

let checker: GoGobChecker;
before(
  async () => {
    checker = await GoGobChecker.start();
  },
  { timeout: 300_000 },
);
after(() => checker?.close());

const EVERY_KIND: GobTypeDesc = {
  kind: 'struct',
  fields: [
    { name: 'B', type: 'bool' },
    { name: 'I', type: 'int' },
    { name: 'I8', type: 'int8' },
    { name: 'I64', type: 'int64' },
    { name: 'U', type: 'uint' },
    { name: 'U16', type: 'uint16' },
    { name: 'U64', type: 'uint64' },
    { name: 'F32', type: 'float32' },
    { name: 'F64', type: 'float64' },
    { name: 'C', type: 'complex128' },
    { name: 'S', type: 'string' },
    { name: 'Raw', type: 'bytes' },
    { name: 'List', type: { kind: 'slice', elem: 'int32' } },
    { name: 'Triple', type: { kind: 'array', len: 3, elem: 'uint8' } },
    { name: 'ByKey', type: { kind: 'map', key: 'string', value: { kind: 'slice', elem: 'float64' } } },
    {
      name: 'Inner',
      type: {
        kind: 'struct',
        fields: [
          { name: 'Name', type: 'string' },
          { name: 'Ok', type: 'bool' },
        ],
      },
    },
  ],
};

const VALUE = {
  B: true,
  I: '-42',
  I8: '-128',
  I64: '-9223372036854775808',
  U: '7',
  U16: '65535',
  U64: '18446744073709551615',
  F32: 0.10000000149011612,
  F64: '-0',
  C: [1.5, 'NaN'],
  S: 'héllo <&> 😀',
  Raw: Buffer.from([0, 1, 255]).toString('base64'),
  List: ['1', '-2', '2147483647'],
  Triple: ['1', '2', '3'],
  ByKey: [
    ['a', [1, 'Infinity']],
    ['b', []],
  ],
  Inner: { Name: 'x', Ok: false },
};

test('Go encodes values given in gobcheck JSON, decodes its own stream back, and re-encodes it byte for byte', async () => {
  const encoded = await checker.encode(EVERY_KIND, [VALUE, { ...VALUE, ByKey: [], S: '' }]);
  assert.equal(encoded.ok, true, encoded.error);
  assert.deepEqual(encoded.values[0], { ...VALUE, F64: -0 }, 'as Go holds it: -0 comes back a number');
  assert.ok(encoded.gob.length > 0);

  const decoded = await checker.decode(EVERY_KIND, encoded.gob);
  assert.equal(decoded.ok, true, decoded.error);
  // gob omits struct fields equal to zero, and -0 == 0: the field decodes as +0.
  assert.deepEqual(
    decoded.values,
    encoded.values.map((value) => ({ ...(value as object), F64: 0 })),
  );
  // Maps are written in random order, so compare bytes on a value with at most one map entry.
  const single = await checker.encode(EVERY_KIND, [{ ...VALUE, ByKey: [['k', [2.5]]] }]);
  const again = await checker.decode(EVERY_KIND, single.gob);
  assert.deepEqual(again.gob, single.gob);
});

test('floats are exact: a float32 shows its widened value, -0 and NaN survive', async () => {
  const result = await checker.encode('float32', [0.1, '-0', 'NaN', '-Infinity', 16777217]);
  assert.equal(result.ok, true, result.error);
  assert.deepEqual(result.values, [0.10000000149011612, -0, 'NaN', '-Infinity', 16777216]);
  assert.ok(Object.is(result.values[1], -0));
  const decoded = await checker.decode('float32', result.gob);
  assert.deepEqual(decoded.values, result.values, 'a value on its own is sent even when zero');
  assert.ok(Object.is(decoded.values[1], -0));
});

test('a string that is not UTF-8 travels as {base64}', async () => {
  const bytes = Buffer.from([0x66, 0xff, 0x6f]).toString('base64');
  const result = await checker.encode('string', [{ base64: bytes }]);
  assert.equal(result.ok, true, result.error);
  assert.deepEqual(result.values, [{ base64: bytes }]);
  assert.deepEqual((await checker.decode('string', result.gob)).values, [{ base64: bytes }]);
});

test("gob's own errors come back as ok: false, with the values decoded before them", async () => {
  const ints = await checker.encode('int64', ['1', '2']);
  const asString = await checker.decode('string', ints.gob);
  assert.equal(asString.ok, false);
  assert.match(
    asString.error!,
    /decode value 0: gob: decoding into local type \*string, received remote type int/,
  );

  const truncated = await checker.decode('int64', ints.gob.subarray(0, ints.gob.length - 1));
  assert.equal(truncated.ok, false);
  assert.deepEqual(truncated.values, ['1']);
  assert.match(truncated.error!, /unexpected EOF/);

  const badType = await checker.encode({ kind: 'struct', fields: [{ name: 'lower', type: 'int' }] }, []);
  assert.equal(badType.ok, false);
  assert.match(badType.error!, /not an exported Go identifier/);

  const tooBig = await checker.encode('int8', ['128']);
  assert.equal(tooBig.ok, false);
  assert.match(tooBig.error!, /int8 cannot hold "128"/);
});

test('many checks in one process: int64, uint64 and string slices round-trip exactly', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), { maxLength: 8 }),
      fc.array(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), { maxLength: 8 }),
      fc.array(fc.string({ unit: 'grapheme' }), { maxLength: 8 }),
      async (signed, unsigned, strings) => {
        const type: GobTypeDesc = {
          kind: 'struct',
          fields: [
            { name: 'S', type: { kind: 'slice', elem: 'int64' } },
            { name: 'U', type: { kind: 'slice', elem: 'uint64' } },
            { name: 'T', type: { kind: 'slice', elem: 'string' } },
          ],
        };
        const value = { S: signed.map(String), U: unsigned.map(String), T: strings };
        const encoded = await checker.encode(type, [value]);
        assert.equal(encoded.ok, true, encoded.error);
        const decoded = await checker.decode(type, encoded.gob);
        assert.equal(decoded.ok, true, decoded.error);
        assert.deepEqual(decoded.values, [value]);
        assert.deepEqual(decoded.gob, encoded.gob);
      },
    ),
    { numRuns: 200 },
  );
});
