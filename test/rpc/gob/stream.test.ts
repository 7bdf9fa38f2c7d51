import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  GobDecoder,
  GobEncoder,
  GobFrameTooLargeError,
  GobStreamError,
  gob,
} from '../../../src/rpc/gob/index.ts';
import { OutputBuffer } from '../../../src/rpc/output-buffer.ts';
import { UndecodableValue } from '../../../src/rpc/undecodable-value.ts';

const Point = gob.struct('Point', { X: gob.int, Y: gob.int });
const Header = gob.struct('Header', { ServiceMethod: gob.string, Seq: gob.uint64, Error: gob.string });

/** From Go: type Point struct{ X, Y int }; enc.Encode(Point{22, 33}), twice (doc.go's example). */
const POINT_DEFINITION = '1fff8103010105506f696e7401ff820001020101580104000101590104000000';
const POINT_VALUE = '07ff82012c014200';

function decodeAll(decoder: GobDecoder, chunks: Buffer[]): unknown[] {
  const values: unknown[] = [];
  for (const chunk of chunks) decoder.push(chunk, (value) => values.push(value));
  return values;
}

function streamOfSeveralTypes(): { bytes: Buffer; values: unknown[] } {
  const encoder = new GobEncoder();
  const values: unknown[] = [
    { ServiceMethod: 'Foo.Sum', Seq: 1, Error: '' },
    { Num1: 1, Num2: 2 },
    { ServiceMethod: 'Foo.Sum', Seq: 2 ** 60, Error: 'x'.repeat(300) },
    [Buffer.alloc(200, 7)],
    { M: new Map([[1, 'a']]) },
  ];
  const types = [Header, undefined, Header, undefined, undefined];
  const bytes = Buffer.concat(values.map((value, i) => encoder.encode(value, types[i])));
  const expected = [...values];
  expected[2] = { ServiceMethod: 'Foo.Sum', Seq: 2n ** 60n, Error: 'x'.repeat(300) };
  return { bytes, values: expected };
}

test('bytes delivered one at a time decode as when delivered at once', () => {
  const { bytes, values } = streamOfSeveralTypes();
  assert.deepEqual(decodeAll(new GobDecoder(), [bytes]), values);
  const single = [...bytes].map((byte) => Buffer.from([byte]));
  assert.deepEqual(decodeAll(new GobDecoder(), single), values);
});

test('bytes split at every point in two decode the same', () => {
  const { bytes, values } = streamOfSeveralTypes();
  for (let cut = 1; cut < bytes.length; cut++) {
    assert.deepEqual(
      decodeAll(new GobDecoder(), [bytes.subarray(0, cut), bytes.subarray(cut)]),
      values,
      `cut at ${cut}`,
    );
  }
});

test('a declared length over maxMessageBytes throws on the byte count alone', () => {
  const decoder = new GobDecoder({ maxMessageBytes: 1000 });
  // 0xf8: eight bytes of count follow; the count is 2^63.
  const huge = Buffer.from('f88000000000000000', 'hex');
  assert.throws(
    () => decoder.push(huge, () => assert.fail('no value')),
    (error: unknown) =>
      error instanceof GobFrameTooLargeError &&
      error.code === 'ERR_GOB_FRAME_TOO_LARGE' &&
      /1000 bytes/.test(error.message),
  );
  // The stream cannot be trusted past that point: the decoder keeps refusing it.
  assert.throws(() => decoder.push(Buffer.from('03040006', 'hex'), () => {}), GobFrameTooLargeError);
});

test('a message exactly at maxMessageBytes passes, one byte more does not', () => {
  const value = new GobEncoder().encode('x'.repeat(100));
  const length = value[0]!;
  assert.deepEqual(decodeAll(new GobDecoder({ maxMessageBytes: length }), [value]), ['x'.repeat(100)]);
  assert.throws(
    () => decodeAll(new GobDecoder({ maxMessageBytes: length - 1 }), [value]),
    GobFrameTooLargeError,
  );
});

test('a large declared length is not allocated before its bytes arrive', () => {
  const decoder = new GobDecoder({ maxMessageBytes: 512 * 1024 * 1024 });
  const before = process.memoryUsage().arrayBuffers;
  // 256 MiB declared, then a few bytes of it.
  const prefix = Buffer.from('fc10000000', 'hex');
  decoder.push(Buffer.concat([prefix, Buffer.alloc(10)]), () => assert.fail('no value'));
  const grown = process.memoryUsage().arrayBuffers - before;
  assert.ok(grown < 16 * 1024 * 1024, `grew by ${grown} bytes`);
});

test('a value that does not decode arrives as an UndecodableValue and the stream goes on', () => {
  const decoder = new GobDecoder();
  const values = decodeAll(decoder, [
    Buffer.from(POINT_DEFINITION + POINT_VALUE, 'hex'),
    // Field delta 5: Point has two fields.
    Buffer.from('07ff82052c014200', 'hex'),
    // A type id nobody defined.
    Buffer.from('04ff900000', 'hex'),
    // Cut short: the struct's end mark is missing.
    Buffer.from('05ff82012c01', 'hex'),
    // An empty message.
    Buffer.from('00', 'hex'),
    Buffer.from(POINT_VALUE, 'hex'),
  ]);
  assert.deepEqual(values[0], { X: 22, Y: 33 });
  for (const value of values.slice(1, 5)) assert.ok(value instanceof UndecodableValue, String(value));
  assert.match((values[1] as UndecodableValue).reason, /field number 4 out of range/);
  assert.match((values[2] as UndecodableValue).reason, /type id 72 is not defined/);
  assert.match((values[3] as UndecodableValue).reason, /Point\.Y: unexpected end of message/);
  assert.deepEqual(values[5], { X: 22, Y: 33 });
});

test('a corrupt type definition throws a typed error and ends the stream', () => {
  const corrupt = [
    // wireType field 8 does not exist.
    ['1fff8109', POINT_DEFINITION.slice(8)],
    // Cut short (the count says so).
    ['10ff8103010105506f696e7401ff820001020101'],
    // A second definition of id 65.
    [POINT_DEFINITION, POINT_DEFINITION],
    // A definition of a reserved id (-16).
    ['031f0300'],
    // A byte count that is not one (0x80: 128 bytes of count).
    ['80'],
  ];
  for (const parts of corrupt) {
    const decoder = new GobDecoder();
    const bytes = Buffer.from(parts.join(''), 'hex');
    assert.throws(
      () => decoder.push(bytes, () => {}),
      (error: unknown) => error instanceof GobStreamError && error.code === 'ERR_GOB_BAD_STREAM',
      parts.join(''),
    );
    assert.throws(() => decoder.push(Buffer.from('03040006', 'hex'), () => {}), GobStreamError);
  }
});

test('an interface value fails its own message, naming where and what it holds; the types it defined serve later messages', () => {
  // type WithIface struct { V any; N int }; gob.Register(Point{})
  // enc.Encode(WithIface{N: 5}); enc.Encode(WithIface{V: Point{1, 2}, N: 1}); enc.Encode(Point{3, 4}):
  // Go sends Point's definition (type 66) in the middle of the second value, which goes on in the
  // message after it; the third value uses type 66.
  const bytes = Buffer.from(
    '23ff810301010957697468496661636501ff8200010201015601100001014e010400000005ff82020a00' +
      '2dff82010a6d61696e2e506f696e74ff8303010105506f696e7401ff8400010201015801040001015901040000000bff84050102010400010200' +
      '07ff840106010800',
    'hex',
  );
  const values: unknown[] = [];
  new GobDecoder().push(bytes, (value) => values.push(value));
  assert.equal(values.length, 3);
  assert.deepEqual(values[0], { V: null, N: 5 });
  assert.ok(values[1] instanceof UndecodableValue);
  assert.match(
    String((values[1] as UndecodableValue).reason),
    /WithIface\.V.*an interface value \(concrete type "main\.Point"\)/,
  );
  assert.deepEqual(values[2], { X: 3, Y: 4 });
});

test('encodeInto appends to an OutputBuffer what encode returns, batch after batch', () => {
  const out = new OutputBuffer();
  const into = new GobEncoder();
  const plain = new GobEncoder();
  const expected: Buffer[] = [];
  for (let seq = 1; seq <= 3; seq++) {
    const header = { ServiceMethod: 'Foo.Sum', Seq: seq, Error: '' };
    into.encodeInto(header, Header, out);
    into.encodeInto({ Num1: seq, Num2: 2 }, undefined, out);
    expected.push(plain.encode(header, Header), plain.encode({ Num1: seq, Num2: 2 }));
  }
  assert.deepEqual(out.take(), Buffer.concat(expected));
});

test('an encode that fails writes nothing and defines nothing: the next one sends the definition', () => {
  const out = new OutputBuffer();
  const encoder = new GobEncoder();
  out.append(Buffer.from('before'));
  assert.throws(() => encoder.encodeInto({ X: 1.5, Y: 2 }, Point, out), /Point\.X/);
  assert.equal(out.length, 6);
  encoder.encodeInto({ X: 22, Y: 33 }, Point, out);
  assert.equal(out.take().subarray(6).toString('hex'), POINT_DEFINITION + POINT_VALUE);
});

test('the same Go type described twice shares one id; another Go type gets the next', () => {
  const encoder = new GobEncoder();
  const first = encoder.encode({ X: 22, Y: 33 }, Point);
  const again = encoder.encode({ X: 22, Y: 33 }, gob.struct('Point', { X: gob.int, Y: gob.int }));
  assert.equal(first.toString('hex'), POINT_DEFINITION + POINT_VALUE);
  assert.equal(again.toString('hex'), POINT_VALUE);
  // A struct with other field types is another Go type: id 66 (ff84).
  const other = encoder.encode({ X: 22, Y: 33 }, gob.struct('Point', { X: gob.int32, Y: gob.int }));
  assert.equal(other.subarray(1, 3).toString('hex'), 'ff83');
  assert.deepEqual(decodeAll(new GobDecoder(), [first, again, other]), [
    { X: 22, Y: 33 },
    { X: 22, Y: 33 },
    { X: 22, Y: 33 },
  ]);
});

test('a struct field holding null or undefined is left out, as a nil Go pointer, map or slice', () => {
  const Outer = gob.struct('Outer', {
    In: gob.struct('Inner', { A: gob.int }),
    M: gob.map(gob.string, gob.int),
    S: gob.slice(gob.int),
    N: gob.int,
  });
  const encoder = new GobEncoder();
  encoder.encode({ N: 1 }, Outer);
  assert.equal(
    encoder.encode({ In: null, M: undefined, S: null, N: 1 }, Outer).toString('hex'),
    '05ff82040200',
  );
  assert.equal(encoder.encode({ In: {}, M: {}, S: [], N: 1 }, Outer).toString('hex'), '09ff8201000100020200');
});

test('-0 is dropped from a struct field as Go drops it, and kept as a top-level value', () => {
  const encoder = new GobEncoder();
  const bytes = Buffer.concat([
    encoder.encode({ F: -0 }, gob.struct({ F: gob.float64 })),
    encoder.encode(-0, gob.float64),
  ]);
  const [field, single] = decodeAll(new GobDecoder(), [bytes]);
  assert.ok(Object.is((field as { F: number }).F, 0));
  assert.ok(Object.is(single, -0));
});
