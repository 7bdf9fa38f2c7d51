import { writeString } from './msgpack-header.ts';

/**
 * The common body (plain objects, arrays, strings, numbers, booleans, null) written as MessagePack
 * straight into the output buffer, byte for byte as msgpackr packs it with the codec's options:
 * no msgpackr set-up and no intermediate buffer per message. Anything else (undefined, Dates,
 * Maps, binary, BigInts, class instances, deep nesting) and any value that outgrows the room it
 * was given answers -1, and msgpackr packs the whole value instead.
 */

const NIL = 0xc0;
const FALSE = 0xc2;
const TRUE = 0xc3;
const FLOAT64 = 0xcb;
const UINT8 = 0xcc;
const UINT16 = 0xcd;
const UINT32 = 0xce;
const INT8 = 0xd0;
const INT16 = 0xd1;
const INT32 = 0xd2;
const ARRAY16 = 0xdc;
const MAP16 = 0xde;
const FIXARRAY = 0x90;
/** Past this depth msgpackr decides (a cycle overflows its stack, as it always did). */
const MAX_DEPTH = 32;
/** What a str header and the longest UTF-8 of one UTF-16 unit take, per character. */
const STRING_HEADER_BYTES = 5;
const FLOAT64_BYTES = 9;

/** Where writing stops being safe: the end of the room the caller reserved. */
let limit = 0;

/**
 * Writes `value` into `bytes` from `at`, using no byte at or past `end`; returns where it ends,
 * or -1 when msgpackr must pack it (what was written before then is garbage to be overwritten).
 */
export function writeBody(bytes: Buffer, at: number, end: number, value: unknown): number {
  limit = end;
  return writeValue(bytes, at, value, 0);
}

function writeValue(bytes: Buffer, at: number, value: unknown, depth: number): number {
  switch (typeof value) {
    case 'string':
      if (at + STRING_HEADER_BYTES + 3 * value.length > limit) return -1;
      return writeString(bytes, at, value);
    case 'number':
      if (at + FLOAT64_BYTES > limit) return -1;
      return writeNumber(bytes, at, value);
    case 'boolean':
      if (at >= limit) return -1;
      bytes[at] = value ? TRUE : FALSE;
      return at + 1;
    case 'object':
      if (value === null) {
        if (at >= limit) return -1;
        bytes[at] = NIL;
        return at + 1;
      }
      if (depth >= MAX_DEPTH) return -1;
      if (value.constructor === Object)
        return writeObject(bytes, at, value as Record<string, unknown>, depth);
      if (value.constructor === Array) return writeArray(bytes, at, value as unknown[], depth);
      return -1;
    default:
      return -1;
  }
}

/** Always a map16, as msgpackr writes objects when it does not know their size up front. */
function writeObject(bytes: Buffer, at: number, object: Record<string, unknown>, depth: number): number {
  if (at + 3 > limit) return -1;
  bytes[at] = MAP16;
  let position = at + 3;
  let size = 0;
  for (const key in object) {
    if (!Object.hasOwn(object, key)) continue;
    position = writeValue(bytes, position, key, depth + 1);
    if (position === -1) return -1;
    position = writeValue(bytes, position, object[key], depth + 1);
    if (position === -1) return -1;
    size++;
  }
  if (size > 0xffff) return -1;
  bytes[at + 1] = size >> 8;
  bytes[at + 2] = size & 0xff;
  return position;
}

function writeArray(bytes: Buffer, at: number, array: unknown[], depth: number): number {
  const length = array.length;
  if (length >= 0x10000 || at + 3 > limit) return -1;
  let position: number;
  if (length < 0x10) {
    bytes[at] = FIXARRAY | length;
    position = at + 1;
  } else {
    bytes[at] = ARRAY16;
    bytes[at + 1] = length >> 8;
    bytes[at + 2] = length & 0xff;
    position = at + 3;
  }
  for (let i = 0; i < length; i++) {
    position = writeValue(bytes, position, array[i], depth + 1);
    if (position === -1) return -1;
  }
  return position;
}

function writeNumber(bytes: Buffer, at: number, value: number): number {
  if (value >>> 0 === value) {
    if (value < 0x80) {
      bytes[at] = value;
      return at + 1;
    }
    if (value < 0x100) {
      bytes[at] = UINT8;
      bytes[at + 1] = value;
      return at + 2;
    }
    if (value < 0x10000) {
      bytes[at] = UINT16;
      bytes[at + 1] = value >> 8;
      bytes[at + 2] = value & 0xff;
      return at + 3;
    }
    bytes[at] = UINT32;
    bytes.writeUInt32BE(value, at + 1);
    return at + 5;
  }
  if (value >> 0 === value) {
    if (value >= -0x20) {
      bytes[at] = 0x100 + value;
      return at + 1;
    }
    if (value >= -0x80) {
      bytes[at] = INT8;
      bytes[at + 1] = value + 0x100;
      return at + 2;
    }
    if (value >= -0x8000) {
      bytes[at] = INT16;
      bytes.writeInt16BE(value, at + 1);
      return at + 3;
    }
    bytes[at] = INT32;
    bytes.writeInt32BE(value, at + 1);
    return at + 5;
  }
  bytes[at] = FLOAT64;
  bytes.writeDoubleBE(value, at + 1);
  return at + FLOAT64_BYTES;
}
