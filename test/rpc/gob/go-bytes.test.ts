import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GobDecoder, GobEncoder, type GobType, gob } from '../../../src/rpc/gob/index.ts';
import { UndecodableValue } from '../../../src/rpc/undecodable-value.ts';

/*
 * Every hex string below is what Go 1.19's encoding/gob wrote, one fresh process per case
 * (type ids are per process in Go), each line one Encode() call on one gob.Encoder:
 *
 *   type Point struct{ X, Y int }
 *   type Header struct { ServiceMethod string; Seq uint64; Error string }
 *   type Args struct{ Num1, Num2 int }
 *   type Inner struct { A int; B string }
 *   type Outer struct { Name string; In Inner; Tags []string }
 *   type Floats struct { F float64; G float32 }
 *   type Sized struct { I8 int8; I32 int32; U8 uint8; U16 uint16; Arr [3]int; OK bool }
 *   type WithMap struct { M map[string]int; N int }
 *   type Quirks struct { ByName map[string]Inner; List []Inner; Grid [][]int; Anon struct{ Z uint } }
 *
 *   func main() {
 *     var buf bytes.Buffer
 *     enc := gob.NewEncoder(&buf)
 *     emit := func(v any) { buf.Reset(); enc.Encode(v); fmt.Println(hex.EncodeToString(buf.Bytes())) }
 *     switch os.Args[1] { case "point": emit(Point{22, 33}); emit(Point{22, 33}) ... }
 *   }
 *
 * The Go call of each case is in its `go` field.
 */

const Point = gob.struct('Point', { X: gob.int, Y: gob.int });
const Header = gob.struct('Header', { ServiceMethod: gob.string, Seq: gob.uint64, Error: gob.string });
const Args = gob.struct('Args', { Num1: gob.int, Num2: gob.int });
const Inner = gob.struct('main.Inner', { A: gob.int, B: gob.string });
const Outer = gob.struct('Outer', { Name: gob.string, In: Inner, Tags: gob.slice(gob.string) });

interface GoCase {
  name: string;
  go: string;
  type?: GobType;
  /** What is encoded, call by call. */
  values: unknown[];
  /** Go's bytes, call by call. */
  hex: string[];
  /** What the decoder hands on, value by value. */
  decoded: unknown[];
}

const cases: GoCase[] = [
  {
    name: "doc.go's worked example, sent twice: the second time without the type",
    go: 'emit(Point{22, 33}); emit(Point{22, 33})',
    type: Point,
    values: [
      { X: 22, Y: 33 },
      { X: 22, Y: 33 },
    ],
    hex: [
      '1fff8103010105506f696e7401ff82000102010158010400010159010400000007ff82012c014200',
      '07ff82012c014200',
    ],
    decoded: [
      { X: 22, Y: 33 },
      { X: 22, Y: 33 },
    ],
  },
  {
    name: "GeeRPC's header, twice on one stream",
    go: 'emit(Header{ServiceMethod: "Foo.Sum", Seq: 1, Error: ""}); emit(Header{ServiceMethod: "Foo.Sum", Seq: 2, Error: "some error"})',
    type: Header,
    values: [
      { ServiceMethod: 'Foo.Sum', Seq: 1, Error: '' },
      { ServiceMethod: 'Foo.Sum', Seq: 2, Error: 'some error' },
    ],
    hex: [
      '38ff810301010648656164657201ff82000103010d536572766963654d6574686f64010c00010353657101060001054572726f72010c0000000eff820107466f6f2e53756d010100',
      '1aff820107466f6f2e53756d0102010a736f6d65206572726f7200',
    ],
    decoded: [
      { ServiceMethod: 'Foo.Sum', Seq: 1, Error: '' },
      { ServiceMethod: 'Foo.Sum', Seq: 2, Error: 'some error' },
    ],
  },
  {
    name: 'int singletons: 3, 0 (sent: top-level zeros are), -129',
    go: 'emit(3); emit(0); emit(-129)',
    values: [3, 0, -129],
    hex: ['03040006', '03040000', '050400fe0101'],
    decoded: [3, 0, -129],
  },
  {
    name: 'a string singleton',
    go: 'emit("hello")',
    values: ['hello'],
    hex: ['080c000568656c6c6f'],
    decoded: ['hello'],
  },
  {
    name: 'struct{Num1, Num2 int}, then all zero: only the end mark',
    go: 'emit(Args{3, 4}); emit(Args{0, 0})',
    type: Args,
    values: [
      { Num1: 3, Num2: 4 },
      { Num1: 0, Num2: 0 },
    ],
    hex: [
      '24ff81030101044172677301ff8200010201044e756d3101040001044e756d32010400000007ff820106010800',
      '03ff8200',
    ],
    decoded: [
      { Num1: 3, Num2: 4 },
      { Num1: 0, Num2: 0 },
    ],
  },
  {
    name: 'map[string]int (one key: Go orders map entries at random)',
    go: 'emit(map[string]int{"one": 1})',
    type: gob.map(gob.string, gob.int),
    values: [{ one: 1 }],
    hex: ['0eff81040102ff8200010c0104000009ff820001036f6e6502'],
    decoded: [{ one: 1 }],
  },
  {
    name: 'map[int]string, inferred from a Map',
    go: 'emit(map[int]string{-1: "m"})',
    values: [new Map([[-1, 'm']])],
    hex: ['0eff81040102ff82000104010c000007ff82000101016d'],
    decoded: [new Map([[-1, 'm']])],
  },
  {
    name: '[]string, inferred',
    go: 'emit([]string{"a", "bc", ""})',
    values: [['a', 'bc', '']],
    hex: ['0cff81020102ff8200010c00000aff820003016102626300'],
    decoded: [['a', 'bc', '']],
  },
  {
    name: 'a nested struct; then the zero Outer, whose In Go sends all the same',
    go: 'emit(Outer{Name: "x", In: Inner{A: -1, B: "b"}, Tags: []string{"t"}}); emit(Outer{})',
    type: Outer,
    values: [
      { Name: 'x', In: { A: -1, B: 'b' }, Tags: ['t'] },
      { Name: '', In: { A: 0, B: '' }, Tags: [] },
    ],
    hex: [
      '2eff81030101054f7574657201ff8200010301044e616d65010c000102496e01ff840001045461677301ff860000001fff8303010105496e6e657201ff84000102010141010400010142010c00000016ff85020101085b5d737472696e6701ff8600010c000011ff82010178010101010162000101017400',
      '05ff82020000',
    ],
    decoded: [
      { Name: 'x', In: { A: -1, B: 'b' }, Tags: ['t'] },
      { Name: '', In: { A: 0, B: '' }, Tags: [] },
    ],
  },
  {
    name: '[]byte',
    go: 'emit([]byte{1, 2, 3})',
    values: [Buffer.from([1, 2, 3])],
    hex: ['060a0003010203'],
    decoded: [Buffer.from([1, 2, 3])],
  },
  {
    name: 'uint64 max, as a bigint',
    go: 'emit(uint64(math.MaxUint64))',
    values: [2n ** 64n - 1n],
    hex: ['0b0600f8ffffffffffffffff'],
    decoded: [2n ** 64n - 1n],
  },
  {
    name: 'int64 min, as a bigint',
    go: 'emit(int64(math.MinInt64))',
    values: [-(2n ** 63n)],
    hex: ['0b0400f8ffffffffffffffff'],
    decoded: [-(2n ** 63n)],
  },
  {
    name: 'float64 singletons (byte-reversed bits) and float fields',
    go: 'emit(17.0); emit(0.1); emit(-1.5); emit(Floats{F: 0.1, G: 1.5})',
    values: [
      gob.typed(gob.float64, 17),
      0.1,
      -1.5,
      gob.typed(gob.struct('Floats', { F: gob.float64, G: gob.float32 }), { F: 0.1, G: 1.5 }),
    ],
    hex: [
      '050800fe3140',
      '0b0800f89a9999999999b93f',
      '050800fef8bf',
      '20ff8103010106466c6f61747301ff82000102010146010800010147010800000011ff8201f89a9999999999b93f01fef83f00',
    ],
    decoded: [17, 0.1, -1.5, { F: 0.1, G: 1.5 }],
  },
  {
    name: 'the empty struct (GeeRPC error reply bodies), from null and undefined',
    go: 'emit(struct{}{}); emit(struct{}{})',
    values: [null, undefined],
    hex: ['0aff81030102ff8200000003ff8200', '03ff8200'],
    decoded: [{}, {}],
  },
  {
    name: 'sized ints, an array (sent even when zero), a bool',
    go: 'emit(Sized{I8: -8, I32: 100000, U8: 255, U16: 0, Arr: [3]int{0, 1, 0}, OK: true})',
    type: gob.struct('Sized', {
      I8: gob.int8,
      I32: gob.int32,
      U8: gob.uint8,
      U16: gob.uint16,
      Arr: gob.array(gob.int, 3),
      OK: gob.bool,
    }),
    values: [{ I8: -8, I32: 100000, U8: 255, U16: 0, Arr: [0, 1, 0], OK: true }],
    hex: [
      '41ff810301010553697a656401ff82000106010249380104000103493332010400010255380106000103553136010600010341727201ff840001024f4b010200000016ff83010101065b335d696e7401ff840001040106000014ff82010f01fd030d4001ffff0203000200010100',
    ],
    decoded: [{ I8: -8, I32: 100000, U8: 255, U16: 0, Arr: [0, 1, 0], OK: true }],
  },
  {
    name: 'an empty map field is sent, a nil (null) one is not',
    go: 'emit(WithMap{M: map[string]int{}, N: 1}); emit(WithMap{M: nil, N: 1})',
    type: gob.struct('WithMap', { M: gob.map(gob.string, gob.int), N: gob.int }),
    values: [
      { M: {}, N: 1 },
      { M: null, N: 1 },
    ],
    hex: [
      '22ff8103010107576974684d617001ff8200010201014d01ff840001014e01040000001eff830401010e6d61705b737472696e675d696e7401ff8400010c0104000007ff820100010200',
      '05ff82020200',
    ],
    // Go sends a map that is not nil even when empty: one left out was nil, and decodes as null.
    decoded: [
      { M: {}, N: 1 },
      { M: null, N: 1 },
    ],
  },
  {
    name: "Go's type naming and id order: a struct first met as a map element is nameless",
    go: 'emit(Quirks{ByName: map[string]Inner{"k": {A: 1}}, List: []Inner{{B: "z"}}, Grid: [][]int{{1}}, Anon: struct{ Z uint }{7}})',
    type: gob.struct('Quirks', {
      ByName: gob.map(gob.string, Inner),
      List: gob.slice(Inner),
      Grid: gob.slice(gob.slice(gob.int)),
      Anon: gob.struct({ Z: gob.uint }),
    }),
    values: [{ ByName: { k: { A: 1 } }, List: [{ B: 'z' }], Grid: [[1]], Anon: { Z: 7 } }],
    hex: [
      '3eff8103010106517569726b7301ff82000104010642794e616d6501ff860001044c69737401ff880001044772696401ff8c000104416e6f6e01ff8e00000026ff85040101156d61705b737472696e675d6d61696e2e496e6e657201ff8600010c01ff84000018ff83030102ff84000102010141010400010142010c0000001bff870201010c5b5d6d61696e2e496e6e657201ff880001ff84000016ff8b020101075b5d5b5d696e7401ff8c0001ff8a00000cff89020102ff8a000104000025ff8d03010111737472756374207b205a2075696e74207d01ff8e00010101015a010600000018ff820101016b010200010102017a00010101020101070000',
    ],
    decoded: [{ ByName: { k: { A: 1, B: '' } }, List: [{ A: 0, B: 'z' }], Grid: [[1]], Anon: { Z: 7 } }],
  },
  {
    name: 'a slice of structs at the top: the slice is defined first, its element after',
    go: 'emit([]Point{{1, 2}})',
    type: gob.slice(Point),
    values: [[{ X: 1, Y: 2 }]],
    hex: [
      '0dff83020102ff840001ff8200001fff8103010105506f696e7401ff82000102010158010400010159010400000009ff8400010102010400',
    ],
    decoded: [[{ X: 1, Y: 2 }]],
  },
  {
    name: 'a bool singleton',
    go: 'emit(true)',
    values: [true],
    hex: ['03020001'],
    decoded: [true],
  },
];

function encodeAll(c: GoCase): string[] {
  const encoder = new GobEncoder();
  return c.values.map((value) => encoder.encode(value, c.type).toString('hex'));
}

function decodeAll(bytes: Buffer): unknown[] {
  const values: unknown[] = [];
  new GobDecoder().push(bytes, (value) => values.push(value));
  return values;
}

for (const c of cases) {
  test(`encodes as Go does: ${c.name}`, () => {
    assert.deepEqual(encodeAll(c), c.hex, c.go);
  });

  test(`decodes Go's bytes: ${c.name}`, () => {
    assert.deepEqual(decodeAll(Buffer.from(c.hex.join(''), 'hex')), c.decoded, c.go);
  });
}

test('decodes a nil interface field as null', () => {
  // type WithIface struct { V any; N int }; emit(WithIface{N: 5})
  const bytes = Buffer.from(
    '23ff810301010957697468496661636501ff8200010201015601100001014e010400000005ff82020a00',
    'hex',
  );
  assert.deepEqual(decodeAll(bytes), [{ V: null, N: 5 }]);
});

test('refuses a GobEncoder value (time.Time): only its Go type reads its bytes', () => {
  // type Stamp struct{ At time.Time }; emit(Stamp{At: time.Unix(1, 0).UTC()})
  const bytes = Buffer.from(
    '1bff81030101055374616d7001ff820001010102417401ff8400000010ff830501010454696d6501ff8400000014ff82010f010000000e7791f70100000000ffff00',
    'hex',
  );
  const [value] = decodeAll(bytes);
  assert.ok(value instanceof UndecodableValue);
  assert.equal(
    value.reason,
    'gob: cannot decode Stamp.At: a value of Go type "Time" that marshals itself, sent as the bytes of its GobEncode method; such values are not supported',
  );
});

test('decodes a recursive type; a struct inside itself (a Go pointer) left out is null', () => {
  // type Node struct { Val int; Next *Node }; emit(Node{Val: 1, Next: &Node{Val: 2}})
  const bytes = Buffer.from(
    '24ff81030101044e6f646501ff82000102010356616c01040001044e65787401ff8200000009ff8201020101040000',
    'hex',
  );
  assert.deepEqual(decodeAll(bytes), [{ Val: 1, Next: { Val: 2, Next: null } }]);
});
