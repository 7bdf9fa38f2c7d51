import { asciiText } from '../../util/ascii-text.ts';

/**
 * The common body read by hand: maps with ASCII string keys, arrays, ASCII strings, integers up to
 * 32 bits, doubles, booleans and nil, giving what msgpackr's unpack gives for them with the codec's
 * options. Anything else (non-ASCII text, binary, extensions, 64-bit integers, float32, deep
 * nesting, a `__proto__` key, bytes left over) answers NOT_READ, and msgpackr decides.
 */

export const NOT_READ: unique symbol = Symbol('not read by hand');
const MAX_DEPTH = 32;

/** Where a read stands, and where the frame ends. */
let cursor = 0;
let end = 0;

export function readBody(source: Buffer, start: number, frameEnd: number): unknown {
  cursor = start;
  end = frameEnd;
  const value = readValue(source, 0);
  return cursor === end ? value : NOT_READ;
}

function readValue(source: Buffer, depth: number): unknown {
  if (cursor >= end) return NOT_READ;
  const token = source[cursor++]!;
  if (token <= 0x7f) return token;
  if (token >= 0xe0) return token - 0x100;
  if (token <= 0x8f) return readMap(source, token & 0x0f, depth);
  if (token <= 0x9f) return readArray(source, token & 0x0f, depth);
  if (token <= 0xbf) return readAscii(source, token & 0x1f);
  switch (token) {
    case 0xc0:
      return null;
    case 0xc2:
      return false;
    case 0xc3:
      return true;
    case 0xcb:
      if (cursor + 8 > end) return NOT_READ;
      cursor += 8;
      return source.readDoubleBE(cursor - 8);
    case 0xcc:
      if (cursor + 1 > end) return NOT_READ;
      return source[cursor++]!;
    case 0xcd:
      if (cursor + 2 > end) return NOT_READ;
      cursor += 2;
      return (source[cursor - 2]! << 8) | source[cursor - 1]!;
    case 0xce:
      if (cursor + 4 > end) return NOT_READ;
      cursor += 4;
      return source.readUInt32BE(cursor - 4);
    case 0xd0:
      if (cursor + 1 > end) return NOT_READ;
      return source.readInt8(cursor++);
    case 0xd1:
      if (cursor + 2 > end) return NOT_READ;
      cursor += 2;
      return source.readInt16BE(cursor - 2);
    case 0xd2:
      if (cursor + 4 > end) return NOT_READ;
      cursor += 4;
      return source.readInt32BE(cursor - 4);
    case 0xd9:
      if (cursor + 1 > end) return NOT_READ;
      return readAscii(source, source[cursor++]!);
    case 0xda:
      if (cursor + 2 > end) return NOT_READ;
      cursor += 2;
      return readAscii(source, (source[cursor - 2]! << 8) | source[cursor - 1]!);
    case 0xdc:
      if (cursor + 2 > end) return NOT_READ;
      cursor += 2;
      return readArray(source, (source[cursor - 2]! << 8) | source[cursor - 1]!, depth);
    case 0xde:
      if (cursor + 2 > end) return NOT_READ;
      cursor += 2;
      return readMap(source, (source[cursor - 2]! << 8) | source[cursor - 1]!, depth);
    default:
      return NOT_READ;
  }
}

function readMap(source: Buffer, size: number, depth: number): unknown {
  if (depth >= MAX_DEPTH) return NOT_READ;
  const object: Record<string, unknown> = {};
  for (let i = 0; i < size; i++) {
    const key = readKey(source);
    if (key === undefined) return NOT_READ;
    const value = readValue(source, depth + 1);
    if (value === NOT_READ) return NOT_READ;
    object[key] = value;
  }
  return object;
}

function readArray(source: Buffer, length: number, depth: number): unknown {
  if (depth >= MAX_DEPTH || length > end - cursor) return NOT_READ;
  const array = new Array<unknown>(length);
  for (let i = 0; i < length; i++) {
    const value = readValue(source, depth + 1);
    if (value === NOT_READ) return NOT_READ;
    array[i] = value;
  }
  return array;
}

/** ASCII text of `length` bytes from the cursor, or NOT_READ. */
function readAscii(source: Buffer, length: number): unknown {
  const from = cursor;
  const to = from + length;
  if (to > end) return NOT_READ;
  const text = asciiText(source, from, to);
  if (text === undefined) return NOT_READ;
  cursor = to;
  return text;
}

const PROTO_KEY = '__proto__';

/** A fixstr or str8 key of ASCII other than `__proto__` (which msgpackr renames: left to it), or undefined. */
function readKey(source: Buffer): string | undefined {
  if (cursor >= end) return undefined;
  const token = source[cursor]!;
  let length: number;
  if ((token & 0xe0) === 0xa0) {
    length = token & 0x1f;
    cursor += 1;
  } else if (token === 0xd9 && cursor + 2 <= end) {
    length = source[cursor + 1]!;
    cursor += 2;
  } else {
    return undefined;
  }
  const from = cursor;
  const to = from + length;
  if (to > end) return undefined;
  const key = asciiText(source, from, to);
  if (key === undefined || key === PROTO_KEY) return undefined;
  cursor = to;
  return key;
}
