/**
 * Gob written by hand, as a hostile peer in any language would write it (the layout of Go's
 * encoding/gob doc.go): the type definitions and values that once hung or exhausted a decoder.
 */

const INT_ID = 2;
const UINT_ID = 3;
const STRING_ID = 6;
const HEADER_ID = 65;

function uint(n: number): number[] {
  if (n < 0x80) return [n];
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v % 256);
  return [256 - bytes.length, ...bytes];
}
const int = (n: number): number[] => uint(n < 0 ? -n * 2 - 1 : n * 2);
const text = (s: string): number[] => [...uint(Buffer.byteLength(s)), ...Buffer.from(s)];
const common = (name: string, id: number): number[] =>
  name === '' ? [2, ...int(id), 0] : [1, ...text(name), 1, ...int(id), 0];
const message = (bytes: number[]): Buffer => Buffer.from([...uint(bytes.length), ...bytes]);

function arrayDefinition(id: number, elem: number, length: number): Buffer {
  return message([...int(-id), 1, 1, ...common('', id), 1, ...int(elem), 1, ...int(length), 0, 0]);
}

function structDefinition(id: number, name: string, fields: readonly { name: string; id: number }[]): Buffer {
  const list = fields.flatMap((f) => [1, ...text(f.name), 1, ...int(f.id), 0]);
  const body = fields.length === 0 ? [] : [1, ...uint(fields.length), ...list];
  return message([...int(-id), 3, 1, ...common(name, id), ...body, 0, 0]);
}

/** A struct value of type `id` with every field left out (zero). */
const emptyStruct = (id: number): Buffer => message([...int(id), 0]);

/** The definition of GeeRPC's header type, `{ServiceMethod, Seq, Error}`, as the stream's first type. */
export const GOB_HEADER_DEFINITION = structDefinition(HEADER_ID, 'Header', [
  { name: 'ServiceMethod', id: STRING_ID },
  { name: 'Seq', id: UINT_ID },
  { name: 'Error', id: STRING_ID },
]);

/** A header value; GOB_HEADER_DEFINITION must have gone first on the stream. */
export function gobHeader(serviceMethod: string, seq: number): Buffer {
  return message([...int(HEADER_ID), 1, ...text(serviceMethod), 1, ...uint(seq), 0]);
}

/** A body of `[10000][10000]int` left zero, in under 100 bytes: 10^8 elements if zero-filled. */
export function gobZeroValueBomb(): Buffer {
  return Buffer.concat([
    arrayDefinition(66, INT_ID, 10_000),
    arrayDefinition(67, 66, 10_000),
    structDefinition(68, 'Reply', [{ name: 'F', id: 67 }]),
    emptyStruct(68),
  ]);
}

/** A body whose type holds itself (`A = [1]A`) in a field left out: zero-filling it never ends. */
export function gobSelfHoldingArray(): Buffer {
  return Buffer.concat([
    arrayDefinition(66, 66, 1),
    structDefinition(67, 'S', [{ name: 'F', id: 66 }]),
    emptyStruct(67),
  ]);
}

/**
 * `count` struct type definitions of `fields` int fields each, ids from `firstId` on: a stream of
 * types that never comes to a value, each message well under any frame limit.
 */
export function gobTypeDefinitions(firstId: number, count: number, fields: number): Buffer {
  const list = Array.from({ length: fields }, (_, k) => ({ name: `F${k}`, id: INT_ID }));
  return Buffer.concat(
    Array.from({ length: count }, (_, k) => structDefinition(firstId + k, `T${firstId + k}`, list)),
  );
}
