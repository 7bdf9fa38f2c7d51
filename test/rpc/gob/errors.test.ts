import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  compileGobType,
  GobDecoder,
  GobEncoder,
  GobInvalidOptionError,
  GobInvalidTypeError,
  type GobType,
  GobValueError,
  gob,
} from '../../../src/rpc/gob/index.ts';

const Item = gob.struct('Item', { Name: gob.string, Count: gob.int32 });
const Args = gob.struct('Args', {
  Items: gob.slice(Item),
  Small: gob.uint8,
  Big: gob.int64,
  Ratio: gob.float32,
});

function item(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { Name: 'n', Count: 1, ...overrides };
}

/** Asserts the encode throws GobValueError at `path`, with a reason matching `reason`. */
function assertRejected(value: unknown, type: GobType | undefined, path: string, reason: RegExp): void {
  const encoder = new GobEncoder();
  assert.throws(
    () => encoder.encode(value, type),
    (error: unknown) => {
      assert.ok(error instanceof GobValueError, String(error));
      assert.equal(error.code, 'ERR_GOB_UNSUPPORTED_VALUE');
      assert.equal(error.name, 'GobValueError');
      assert.equal(error.path, path);
      assert.ok(error.message.includes(path), error.message);
      assert.match(error.message, reason);
      return true;
    },
  );
}

test('a value of the wrong JavaScript type names its path in the struct', () => {
  const items = [item(), item(), item(), item({ Name: 5 })];
  assertRejected({ Items: items }, Args, 'Args.Items[3].Name', /expected a string, got number 5/);
});

test('a fraction given an int type is refused', () => {
  assertRejected({ Items: [item({ Count: 1.5 })] }, Args, 'Args.Items[0].Count', /int32 needs an integer/);
});

test('values out of range of the Go type are refused', () => {
  assertRejected(
    { Items: [item({ Count: 2 ** 31 })] },
    Args,
    'Args.Items[0].Count',
    /out of range for int32/,
  );
  assertRejected({ Small: 256 }, Args, 'Args.Small', /out of range for uint8/);
  assertRejected({ Small: -1 }, Args, 'Args.Small', /uint8 cannot hold the negative/);
  assertRejected({ Big: 2n ** 63n }, Args, 'Args.Big', /out of range for int64/);
  assertRejected({ Big: 2 ** 63 }, Args, 'Args.Big', /out of range for int64/);
  assertRejected({ Ratio: 1e300 }, Args, 'Args.Ratio', /out of range for float32/);
  assertRejected(-1n, gob.uint64, 'value', /uint64 cannot hold the negative/);
});

test('a function or a symbol cannot be sent', () => {
  assertRejected({ Run: () => 1 }, undefined, 'value.Run', /cannot carry a function/);
  assertRejected({ Tag: Symbol('x') }, undefined, 'value.Tag', /cannot carry a symbol/);
  assertRejected({ Items: [item({ Name: () => 'x' })] }, Args, 'Args.Items[0].Name', /got a function/);
});

test('a mixed-type array is refused; integers mixed with fractions make a []float64', () => {
  assertRejected(
    { List: [1, 2, 'three'] },
    undefined,
    'value.List[2]',
    /mixed element types: element 0 is int, this one is string/,
  );
  const encoder = new GobEncoder();
  const values: unknown[] = [];
  new GobDecoder().push(encoder.encode([1, 2.5]), (value) => values.push(value));
  assert.deepEqual(values, [[1, 2.5]]);
});

test('a property name Go would not export is refused', () => {
  assertRejected({ Good: 1, nested: { X: 1 } }, undefined, 'value.nested', /not a Go-exported field name/);
  assertRejected(
    { Items: [{ Inner: { lower: 1 } }] },
    undefined,
    'value.Items[0].Inner.lower',
    /not a Go-exported/,
  );
});

test('a property the struct type does not have is refused, naming it', () => {
  assertRejected(
    { Items: [item({ Colour: 'red' })] },
    Args,
    'Args.Items[0].Colour',
    /not a field of struct Item/,
  );
});

test('an empty array, an empty Map, null in an array and oversized bigints cannot be inferred', () => {
  assertRejected({ Tags: [] }, undefined, 'value.Tags', /empty array has no element type.*gob\.slice/);
  assertRejected(new Map(), undefined, 'value', /empty Map/);
  assertRejected([1, null], undefined, 'value[1]', /null has no Go type here/);
  assertRejected(2n ** 64n, undefined, 'value', /fits neither int64 nor uint64/);
  assertRejected({ When: new Date(0) }, undefined, 'value.When', /a Date is not a plain object/);
});

test('bigints infer to int64 when they fit, uint64 above', () => {
  const decoded: unknown[] = [];
  const decoder = new GobDecoder();
  const encoder = new GobEncoder();
  for (const value of [-(2n ** 63n), 2n ** 63n - 1n, 2n ** 63n, 5n]) {
    decoder.push(encoder.encode(value), (v) => decoded.push(v));
  }
  assert.deepEqual(decoded, [-(2n ** 63n), 2n ** 63n - 1n, 2n ** 63n, 5]);
  // int64 is type id 2, uint64 type id 3.
  assert.equal(new GobEncoder().encode(5n)[1], 0x04);
  assert.equal(new GobEncoder().encode(2n ** 63n)[1], 0x06);
});

test('an array of the wrong length, or a non-object for a struct, is refused', () => {
  const type = gob.struct('Grid', { Cells: gob.array(gob.int, 2), At: gob.struct('Pos', { X: gob.int }) });
  assertRejected({ Cells: [1, 2, 3] }, type, 'Grid.Cells', /expected an array of 2 elements, got 3/);
  assertRejected({ At: [1] }, type, 'Grid.At', /expected an object for struct Pos/);
  assertRejected({ Cells: [1, 'x'] }, type, 'Grid.Cells[1]', /expected a number or bigint for int/);
});

test('a map with a non-string key type needs a Map, and its entries are checked', () => {
  const type = gob.map(gob.int, gob.string);
  assertRejected({ 1: 'a' }, type, 'value', /expected a Map/);
  assertRejected(new Map([[1, 2]]), type, 'value[1]', /expected a string/);
});

test('a gob.typed() value must name the type expected where it stands', () => {
  assertRejected(
    { Small: gob.typed(gob.uint16, 3) },
    Args,
    'Args.Small',
    /typed as uint16 where uint8 is expected/,
  );
});

test('type hints Go cannot have are refused when built', () => {
  const invalid = (build: () => unknown, message: RegExp) =>
    assert.throws(build, (error: unknown) => {
      assert.ok(error instanceof GobInvalidTypeError);
      assert.equal(error.code, 'ERR_GOB_INVALID_TYPE');
      assert.match(error.message, message);
      return true;
    });
  invalid(() => gob.struct('Args', { num1: gob.int }), /"num1" is not an exported Go name/);
  invalid(() => gob.struct('has space', { A: gob.int }), /not a Go type name/);
  invalid(() => gob.map(gob.slice(gob.int), gob.int), /map key cannot be a slice/);
  invalid(() => gob.array(gob.int, -1), /non-negative integer/);
  invalid(
    () => compileGobType({ kind: 'struct', name: 'T', fields: [{ name: '_x', type: gob.int }] }),
    /"_x" is not an exported Go name/,
  );
});

test('a maxMessageBytes that is not a positive integer is refused', () => {
  assert.throws(
    () => new GobDecoder({ maxMessageBytes: 0 }),
    (error: unknown) => error instanceof GobInvalidOptionError && error.code === 'ERR_GOB_INVALID_OPTION',
  );
});
