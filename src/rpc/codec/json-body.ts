import { writeDigits } from './json-header.ts';

/**
 * The common body (plain objects and arrays of plain printable ASCII strings, finite numbers,
 * booleans and null) written as JSON straight into the output buffer, byte for byte as
 * JSON.stringify writes it: Node 20's JSON.stringify takes some 350 ns for a 100-byte object, and
 * a string to copy on top. Anything else (escapes, non-ASCII text, undefined, Dates, class
 * instances, deep nesting) and any value that outgrows the room it was given answers -1, and
 * JSON.stringify writes the whole value instead.
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const MINUS = 0x2d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
/** Past this depth JSON.stringify decides (a cycle throws there, as it always did). */
const MAX_DEPTH = 32;
/** The longest text of a finite double, as `-1.2345678901234567e-308`. */
const MAX_NUMBER_CHARS = 25;
const TRUE = Buffer.from('true');
const FALSE = Buffer.from('false');
const NULL = Buffer.from('null');

/** Where writing stops being safe: the end of the room the caller reserved. */
let limit = 0;

/**
 * Writes `value` into `bytes` from `at`, using no byte at or past `end`; returns where it ends,
 * or -1 when JSON.stringify must write it (what was written before then is to be overwritten).
 */
export function writeJsonBody(bytes: Buffer, at: number, end: number, value: unknown): number {
  limit = end;
  return writeValue(bytes, at, value, 0);
}

function writeValue(bytes: Buffer, at: number, value: unknown, depth: number): number {
  switch (typeof value) {
    case 'string':
      return writeString(bytes, at, value);
    case 'number':
      return writeNumber(bytes, at, value);
    case 'boolean':
      return writeWord(bytes, at, value ? TRUE : FALSE);
    case 'object':
      if (value === null) return writeWord(bytes, at, NULL);
      if (depth >= MAX_DEPTH) return -1;
      if (value.constructor === Object)
        return writeObject(bytes, at, value as Record<string, unknown>, depth);
      if (value.constructor === Array) return writeArray(bytes, at, value as unknown[], depth);
      return -1;
    default:
      return -1;
  }
}

function writeObject(bytes: Buffer, at: number, object: Record<string, unknown>, depth: number): number {
  if (at >= limit) return -1;
  bytes[at] = OPEN_BRACE;
  let position = at + 1;
  let first = true;
  for (const key in object) {
    if (!Object.hasOwn(object, key)) continue;
    if (!first) {
      if (position >= limit) return -1;
      bytes[position++] = COMMA;
    }
    first = false;
    position = writeString(bytes, position, key);
    if (position === -1 || position >= limit) return -1;
    bytes[position++] = COLON;
    position = writeValue(bytes, position, object[key], depth + 1);
    if (position === -1) return -1;
  }
  if (position >= limit) return -1;
  bytes[position] = CLOSE_BRACE;
  return position + 1;
}

function writeArray(bytes: Buffer, at: number, array: unknown[], depth: number): number {
  if (at >= limit) return -1;
  bytes[at] = OPEN_BRACKET;
  let position = at + 1;
  for (let i = 0; i < array.length; i++) {
    if (i > 0) {
      if (position >= limit) return -1;
      bytes[position++] = COMMA;
    }
    position = writeValue(bytes, position, array[i], depth + 1);
    if (position === -1) return -1;
  }
  if (position >= limit) return -1;
  bytes[position] = CLOSE_BRACKET;
  return position + 1;
}

/** Printable ASCII other than the quote and the backslash, which JSON writes as itself. */
function writeString(bytes: Buffer, at: number, text: string): number {
  const length = text.length;
  if (at + length + 2 > limit) return -1;
  bytes[at] = QUOTE;
  for (let i = 0; i < length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code > 0x7e || code === QUOTE || code === BACKSLASH) return -1;
    bytes[at + 1 + i] = code;
  }
  bytes[at + 1 + length] = QUOTE;
  return at + length + 2;
}

function writeNumber(bytes: Buffer, at: number, value: number): number {
  if (at + MAX_NUMBER_CHARS > limit) return -1;
  // -0 is written as 0, as JSON.stringify writes it.
  if (Number.isSafeInteger(value)) {
    if (value >= 0) return writeDigits(bytes, at, value);
    bytes[at] = MINUS;
    return writeDigits(bytes, at + 1, -value);
  }
  if (!Number.isFinite(value)) return writeWord(bytes, at, NULL);
  const text = String(value);
  for (let i = 0; i < text.length; i++) bytes[at + i] = text.charCodeAt(i);
  return at + text.length;
}

function writeWord(bytes: Buffer, at: number, word: Buffer): number {
  if (at + word.length > limit) return -1;
  for (let i = 0; i < word.length; i++) bytes[at + i] = word[i]!;
  return at + word.length;
}
