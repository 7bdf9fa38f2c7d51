// The Go declaration reader and the JSON ↔ Go conversion, on Go source written to exercise the syntax.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { GoTypesError, GoValueError } from '../../../src/rpc/go-types/errors.ts';
import { emptyGoDeclarations, readGoDeclarations } from '../../../src/rpc/go-types/go-declarations.ts';
import { loadGoMethodTypes, toGoArgs } from '../../../src/rpc/go-types/go-method.ts';
import { goJsonText } from '../../../src/rpc/go-types/go-to-json.ts';
import type { GoType } from '../../../src/rpc/go-types/go-type.ts';
import { goValueFromJson } from '../../../src/rpc/go-types/json-to-go.ts';
import { parseJsonKeepingIntegers } from '../../../src/rpc/go-types/parse-json.ts';
import { gob } from '../../../src/rpc/gob/index.ts';

const SOURCE = new URL('../../fixtures/go-types-service.go', import.meta.url).pathname;

test('the reader finds the method, its types, embedded fields, tags and named basic types', () => {
  const method = loadGoMethodTypes(SOURCE, 'Svc.Add');
  const args = toGoArgs(
    {
      owner: 'me',
      Temp: 21.5,
      Wait: 5,
      Name: 'x',
      name: 'y',
      a: 1,
      B: -2,
      Grid: [[1], [65535]],
      ByKey: { '7': 'k' },
      Bytes: 'AAE=',
      Optional: null,
    },
    method,
  );
  assert.deepEqual(
    args.type,
    gob.struct('Args', {
      Meta: gob.struct('Meta', { Owner: gob.string, Temp: gob.float64, Wait: gob.int64 }),
      Shared: gob.struct('Shared', { Name: gob.string }),
      Name: gob.string,
      A: gob.int8,
      B: gob.int8,
      Grid: gob.array(gob.slice(gob.uint16), 2),
      ByKey: gob.map(gob.uint32, gob.string),
      Bytes: gob.bytes,
      Optional: gob.int64,
    }),
  );
  // Keys match exactly first, then case-insensitively (as encoding/json): "Name" is Shared.Name, "a" is A.
  assert.deepEqual(args.value, {
    Meta: { Owner: 'me', Temp: 21.5, Wait: 5 },
    Shared: { Name: 'x' },
    Name: 'y',
    A: 1,
    B: -2,
    Grid: [[1], [65535]],
    ByKey: new Map([[7, 'k']]),
    Bytes: Buffer.from([0, 1]),
    Optional: null,
  });
  assert.deepEqual(loadGoMethodTypes(SOURCE, 'Svc.Plain').args, {
    kind: 'int',
    goName: 'int',
    display: 'int',
  });
});

test('what cannot be carried is named, with the method and where it is declared', () => {
  const cases: [string, RegExp][] = [
    ['Svc.When', /Svc\.When argument .*type Bad, field When: time\.Time is a type of package time/],
    ['Svc.Loop', /type Loop contains itself/],
    ['Svc.Any', /an interface: gob and JSON cannot carry it/],
    ['Svc.Own', /type Own encodes itself \(method MarshalJSON/],
    ['Svc.Generic', /generic type List/],
    ['Svc.notRPC', /is not an RPC method/],
    ['Svc.Nope', /Svc has no method Nope \(its RPC methods: Add, Plain, When, Loop, Any, Own, Generic\)/],
    ['Other.Add', /declares no methods of Other \(services there: Svc\)/],
  ];
  for (const [serviceMethod, message] of cases) {
    assert.throws(
      () => loadGoMethodTypes(SOURCE, serviceMethod),
      (error: unknown) => {
        assert.ok(error instanceof GoTypesError);
        assert.equal(error.code, 'ERR_GO_TYPES');
        assert.match(error.message, message);
        return true;
      },
    );
  }
});

test('Go syntax errors name the file and line; an unreadable path is named', () => {
  const into = emptyGoDeclarations();
  assert.throws(
    () => readGoDeclarations('package x\n\ntype T struct {\n  A int\n  B map[string\n}\n', 'x.go', into),
    /^GoTypesError: x\.go:5: /,
  );
  assert.throws(
    () => readGoDeclarations('package x\n/* open', 'y.go', into),
    /y\.go:2: a \/\* comment is not closed/,
  );
  assert.throws(
    () => loadGoMethodTypes('/nonexistent/dir', 'A.B'),
    /Go types \/nonexistent\/dir: cannot be read/,
  );
});

const INT_KINDS = [
  ['int8', -128n, 127n],
  ['int16', -32768n, 32767n],
  ['int32', -(2n ** 31n), 2n ** 31n - 1n],
  ['int64', -(2n ** 63n), 2n ** 63n - 1n],
  ['uint8', 0n, 255n],
  ['uint16', 0n, 65535n],
  ['uint32', 0n, 2n ** 32n - 1n],
  ['uint64', 0n, 2n ** 64n - 1n],
] as const;

test('integers: every value in range is kept exactly (from JSON text, numbers and strings); one past either end is refused', () => {
  for (const [goName, min, max] of INT_KINDS) {
    const type = { kind: goName.startsWith('u') ? 'uint' : 'int', goName, display: goName } as GoType;
    fc.assert(
      fc.property(fc.bigInt({ min, max }), (value) => {
        const fromText = goValueFromJson(parseJsonKeepingIntegers(String(value)), type, 'v');
        assert.equal(BigInt(fromText as number | bigint), value);
        assert.equal(BigInt(goValueFromJson(String(value), type, 'v') as number | bigint), value);
        assert.equal(goJsonText(fromText, type), String(value));
      }),
      { numRuns: 200 },
    );
    for (const outside of [min - 1n, max + 1n]) {
      assert.throws(
        () => goValueFromJson(outside, type, 'args.N'),
        (error: unknown) => {
          assert.ok(error instanceof GoValueError);
          assert.match(
            error.message,
            new RegExp(`args\\.N \\(Go type ${goName}\\): ${outside} is out of its range`),
          );
          return true;
        },
      );
    }
  }
  assert.throws(
    () => goValueFromJson(1.5, { kind: 'int', goName: 'int', display: 'int' }, 'v'),
    /not a whole number/,
  );
});

test('floats print as Go prints them: shortest digits for the width, -0 kept, NaN refused', () => {
  const f32 = { kind: 'float', goName: 'float32', display: 'float32' } as GoType;
  const f64 = { kind: 'float', goName: 'float64', display: 'float64' } as GoType;
  fc.assert(
    fc.property(fc.float({ noNaN: true, noDefaultInfinity: true }), (value) => {
      const text = goJsonText(value, f32);
      assert.equal(Math.fround(Number(text)), Object.is(value, -0) ? -0 : value);
      assert.ok(text.replace(/^-|e.*$|\./g, '').replace(/^0+|0+$/g, '').length <= 9, text);
    }),
  );
  assert.equal(goJsonText(Math.fround(0.1), f32), '0.1');
  assert.equal(goJsonText(-0, f64), '-0');
  assert.equal(goJsonText(1e21, f64), '1e+21');
  assert.equal(goJsonText(1e-7, f64), '1e-7');
  assert.throws(() => goJsonText(Number.NaN, f64, 'reply.F'), /reply\.F: NaN has no JSON form/);
  assert.throws(() => goValueFromJson(1e39, f32, 'v'), /out of its range/);
});

test('strings escape as Go escapes them; maps print sorted by their key text', () => {
  const str = { kind: 'string', display: 'string' } as GoType;
  assert.equal(goJsonText('<a&b>\u2028', str), '"\\u003ca\\u0026b\\u003e\\u2028"');
  const map = {
    kind: 'map',
    key: { kind: 'int', goName: 'int', display: 'int' },
    elem: str,
    display: 'map[int]string',
  } as GoType;
  assert.equal(
    goJsonText(
      new Map([
        [10, 'b'],
        [9, 'a'],
        [-1, 'c'],
      ]),
      map,
    ),
    '{"-1":"c","10":"b","9":"a"}',
  );
});

/** A bigint as JSON.parse would have rounded it. */
function rounded(value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (Array.isArray(value)) return value.map(rounded);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, rounded(item)]));
}

test('parseJsonKeepingIntegers equals JSON.parse on any JSON but for integers it keeps exactly', () => {
  fc.assert(
    fc.property(fc.json(), (text) => {
      assert.deepEqual(rounded(parseJsonKeepingIntegers(text)), JSON.parse(text));
    }),
  );
  fc.assert(
    fc.property(fc.bigInt({ min: -(2n ** 64n), max: 2n ** 64n }), fc.string(), (value, key) => {
      const text = JSON.stringify({ [key]: [value.toString()] }).replace(`"${value}"`, String(value));
      const parsed = parseJsonKeepingIntegers(text) as Record<string, unknown[]>;
      const got = parsed[key]![0];
      assert.equal(BigInt(got as number | bigint), value);
      assert.equal(typeof got, BigInt(Number(value)) === value ? 'number' : 'bigint');
    }),
  );
});
