// rpcbench's gob codec against Go's encoding/gob itself (go-peer gobcheck): random values of random
// types, encoded in one and decoded in the other.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { GobDecoder, GobEncoder, type GobType, inferGobType } from '../../../src/rpc/gob/index.ts';
import { OutputBuffer } from '../../../src/rpc/output-buffer.ts';
import { type GobTypeDesc, GoGobChecker } from '../../fixtures/go-gob-checker.ts';
import { flatRecord, sameShapeRecords, typedValue } from '../../fixtures/gob-arbitraries.ts';

let checker: GoGobChecker;
before(
  async () => {
    checker = await GoGobChecker.start();
  },
  { timeout: 300_000 },
);
after(() => checker?.close());

/** The Go type gobcheck builds with reflect for a GobType (struct names do not matter to gob). */
function describe(type: GobType): GobTypeDesc {
  switch (type.kind) {
    case 'bool':
    case 'string':
    case 'bytes':
      return type.kind;
    case 'int':
    case 'uint':
    case 'float':
      return type.goName;
    case 'slice':
      return { kind: 'slice', elem: describe(type.elem) };
    case 'array':
      return { kind: 'array', len: type.length, elem: describe(type.elem) };
    case 'map':
      return { kind: 'map', key: describe(type.key), value: describe(type.elem) };
    case 'struct':
      return {
        kind: 'struct',
        fields: type.fields.map((field) => ({ name: field.name, type: describe(field.type) })),
      };
  }
}

/** A value in gobcheck's exact JSON: integers as decimal strings, special floats as strings, bytes as base64. */
function toCheckJson(type: GobType, value: unknown): unknown {
  switch (type.kind) {
    case 'bool':
    case 'string':
      return value;
    case 'int':
    case 'uint':
      return String(value);
    case 'float': {
      const number = value as number;
      if (Number.isNaN(number)) return 'NaN';
      if (!Number.isFinite(number)) return number > 0 ? 'Infinity' : '-Infinity';
      return Object.is(number, -0) ? '-0' : number;
    }
    case 'bytes':
      return Buffer.from(value as Uint8Array).toString('base64');
    case 'slice':
    case 'array':
      return (value as unknown[]).map((item) => toCheckJson(type.elem, item));
    case 'map': {
      const entries = value instanceof Map ? [...value] : Object.entries(value as Record<string, unknown>);
      return sortPairs(
        entries.map(([key, item]) => [toCheckJson(type.key, key), toCheckJson(type.elem, item)]),
      );
    }
    case 'struct':
      return Object.fromEntries(
        type.fields.map((field) => [
          field.name,
          toCheckJson(field.type, (value as Record<string, unknown>)[field.name]),
        ]),
      );
  }
}

/** Maps as pairs in one order, whichever order a side wrote them in. */
function sortPairs(pairs: unknown[][]): unknown[][] {
  return [...pairs].sort((a, b) => (JSON.stringify(a[0]) < JSON.stringify(b[0]) ? -1 : 1));
}

function normalise(type: GobType, json: unknown): unknown {
  switch (type.kind) {
    case 'slice':
    case 'array':
      return (json as unknown[]).map((item) => normalise(type.elem, item));
    case 'map':
      return sortPairs(
        (json as unknown[][]).map(([key, item]) => [normalise(type.key, key), normalise(type.elem, item)]),
      );
    case 'struct':
      return Object.fromEntries(
        type.fields.map((field) => [
          field.name,
          normalise(field.type, (json as Record<string, unknown>)[field.name]),
        ]),
      );
    default:
      return json;
  }
}

function decodeOne(bytes: Buffer): unknown {
  const values: unknown[] = [];
  new GobDecoder().push(bytes, (value) => values.push(value));
  assert.equal(values.length, 1);
  return values[0];
}

function hasMap(type: GobType): boolean {
  switch (type.kind) {
    case 'map':
      return true;
    case 'slice':
    case 'array':
      return hasMap(type.elem);
    case 'struct':
      return type.fields.some((field) => hasMap(field.type));
    default:
      return false;
  }
}

test("Go decodes what rpcbench encodes, and rpcbench decodes Go's encoding of it to the same value", async () => {
  await fc.assert(
    fc.asyncProperty(typedValue, async ({ type, value }) => {
      const ours = new GobEncoder().encode(value, type);
      const check = await checker.decode(describe(type), ours);
      assert.equal(check.ok, true, check.error);
      assert.deepStrictEqual(normalise(type, check.values[0]), normalise(type, toCheckJson(type, value)));
      const fromGo = decodeOne(check.gob);
      assert.deepStrictEqual(fromGo, decodeOne(ours));
      // Go writes map entries in random order; everything else re-encodes to our bytes exactly.
      if (!hasMap(type)) assert.deepStrictEqual(new GobEncoder().encode(fromGo, type), ours);
    }),
    { numRuns: 300 },
  );
});

test("rpcbench decodes what Go encodes from the value's exact form", async () => {
  await fc.assert(
    fc.asyncProperty(typedValue, async ({ type, value }) => {
      const encoded = await checker.encode(describe(type), [toCheckJson(type, value)]);
      assert.equal(encoded.ok, true, encoded.error);
      assert.deepStrictEqual(decodeOne(encoded.gob), decodeOne(new GobEncoder().encode(value, type)));
    }),
    { numRuns: 300 },
  );
});

/** Plain objects through one encoder, as a connection sends bodies: shapes seen before take the shape writer. */
function encodeRun(values: readonly unknown[]): Buffer {
  const encoder = new GobEncoder();
  const out = new OutputBuffer();
  for (const value of values) encoder.encodeInto(value, undefined, out);
  return out.take();
}

test('runs of plain objects, written by the shape of the struct before them, are what Go decodes and re-encodes', async () => {
  await fc.assert(
    fc.asyncProperty(
      flatRecord.chain((first) => sameShapeRecords(first).map((rest) => [first, ...rest])),
      async (values) => {
        const type = inferGobType(values[0]);
        const ours = encodeRun(values);
        const check = await checker.decode(describe(type), ours);
        assert.equal(check.ok, true, check.error);
        assert.deepStrictEqual(
          check.values.map((value) => normalise(type, value)),
          values.map((value) => normalise(type, toCheckJson(type, value))),
        );
        // Go numbers types per process, so compare its stream once our encoder has written it again.
        const fromGo: unknown[] = [];
        new GobDecoder().push(check.gob, (value) => fromGo.push(value));
        assert.deepStrictEqual(encodeRun(fromGo), ours);
      },
    ),
    { numRuns: 100 },
  );
});
