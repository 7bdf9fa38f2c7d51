import { MAX_REMEMBERED_BYTES, rememberedAscii } from '../../util/ascii-text.ts';
import { latin1Text, utf8Text } from '../../util/buffer-text.ts';

/**
 * The common JSON body read by hand, giving what JSON.parse gives for it: objects, arrays, strings
 * without escapes, numbers, booleans and null, with JSON's whitespace between them. JSON.parse
 * first needs the whole line as a string, and for a small body that copy and the parser's set-up
 * cost more than reading it; short strings (every key) come from the remembered ones. Anything
 * else (an escape, a control character, a `__proto__` key, deep nesting, bad syntax, bytes left
 * over) answers undefined, which JSON.parse never returns, and JSON.parse decides.
 */

const MAX_DEPTH = 32;
/** Integers of up to this many digits are exact in a double when summed digit by digit. */
const MAX_EXACT_DIGITS = 15;
const PROTO_KEY = '__proto__';

const SPACE = 0x20;
const TAB = 0x09;
const CR = 0x0d;
const LF = 0x0a;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;
const LOWER_E = 0x65;
const UPPER_E = 0x45;

const LOWER_T = 0x74;
const LOWER_F = 0x66;
const LOWER_N = 0x6e;

const TRUE = Buffer.from('true', 'latin1');
const FALSE = Buffer.from('false', 'latin1');
const NULL = Buffer.from('null', 'latin1');

/** Where a read stands, and where the line ends. */
let cursor = 0;
let end = 0;

/** The value of the JSON text in `source[start, lineEnd)`, or undefined when it is left to JSON.parse. */
export function readJsonBody(source: Buffer, start: number, lineEnd: number): unknown {
  cursor = start;
  end = lineEnd;
  skipSpace(source);
  const value = readValue(source, 0);
  if (value === undefined) return undefined;
  skipSpace(source);
  return cursor === end ? value : undefined;
}

function skipSpace(source: Buffer): void {
  while (cursor < end) {
    const byte = source[cursor]!;
    if (byte !== SPACE && byte !== TAB && byte !== CR && byte !== LF) return;
    cursor++;
  }
}

function readValue(source: Buffer, depth: number): unknown {
  if (cursor >= end) return undefined;
  switch (source[cursor]) {
    case QUOTE:
      return readString(source);
    case OPEN_BRACE:
      return readObject(source, depth);
    case OPEN_BRACKET:
      return readArray(source, depth);
    case LOWER_T:
      return readWord(source, TRUE, true);
    case LOWER_F:
      return readWord(source, FALSE, false);
    case LOWER_N:
      return readWord(source, NULL, null);
    default:
      return readNumber(source);
  }
}

function readWord(source: Buffer, word: Buffer, value: boolean | null): boolean | null | undefined {
  if (cursor + word.length > end) return undefined;
  for (let i = 1; i < word.length; i++) if (source[cursor + i] !== word[i]) return undefined;
  cursor += word.length;
  return value;
}

/** A string from the opening quote at the cursor; undefined for an escape or a control character. */
function readString(source: Buffer): string | undefined {
  const from = cursor + 1;
  let i = from;
  let bits = 0;
  for (; i < end; i++) {
    const byte = source[i]!;
    if (byte === QUOTE) break;
    if (byte === BACKSLASH || byte < SPACE) return undefined;
    bits |= byte;
  }
  if (i >= end) return undefined;
  cursor = i + 1;
  // A quote is ASCII, so UTF-8 decoded between two quotes is what decoding the whole line gives there.
  if (bits >= 0x80) return utf8Text(source, from, i);
  return i - from <= MAX_REMEMBERED_BYTES ? rememberedAscii(source, from, i) : latin1Text(source, from, i);
}

function readObject(source: Buffer, depth: number): Record<string, unknown> | undefined {
  if (depth >= MAX_DEPTH) return undefined;
  cursor++;
  const object: Record<string, unknown> = {};
  skipSpace(source);
  if (cursor < end && source[cursor] === CLOSE_BRACE) {
    cursor++;
    return object;
  }
  for (;;) {
    if (cursor >= end || source[cursor] !== QUOTE) return undefined;
    const key = readString(source);
    // Assigning `__proto__` would set the prototype; JSON.parse makes it a property.
    if (key === undefined || key === PROTO_KEY) return undefined;
    skipSpace(source);
    if (cursor >= end || source[cursor] !== COLON) return undefined;
    cursor++;
    skipSpace(source);
    const value = readValue(source, depth + 1);
    if (value === undefined) return undefined;
    object[key] = value;
    skipSpace(source);
    if (cursor >= end) return undefined;
    const next = source[cursor++];
    if (next === CLOSE_BRACE) return object;
    if (next !== COMMA) return undefined;
    skipSpace(source);
  }
}

function readArray(source: Buffer, depth: number): unknown[] | undefined {
  if (depth >= MAX_DEPTH) return undefined;
  cursor++;
  const array: unknown[] = [];
  skipSpace(source);
  if (cursor < end && source[cursor] === CLOSE_BRACKET) {
    cursor++;
    return array;
  }
  for (;;) {
    const value = readValue(source, depth + 1);
    if (value === undefined) return undefined;
    array.push(value);
    skipSpace(source);
    if (cursor >= end) return undefined;
    const next = source[cursor++];
    if (next === CLOSE_BRACKET) return array;
    if (next !== COMMA) return undefined;
    skipSpace(source);
  }
}

/** A number as JSON writes it: `-?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?`. */
function readNumber(source: Buffer): number | undefined {
  const from = cursor;
  let i = from;
  const negative = source[i] === MINUS;
  if (negative) i++;
  if (i >= end) return undefined;
  const first = source[i]!;
  if (first === ZERO) i++;
  else if (first > ZERO && first <= NINE) i = skipDigits(source, i + 1);
  else return undefined;
  const integerEnd = i;
  if (i < end && source[i] === DOT) {
    i = skipDigits(source, i + 1);
    if (i === integerEnd + 1) return undefined;
  }
  if (i < end && (source[i] === LOWER_E || source[i] === UPPER_E)) {
    const sign = source[i + 1];
    const digitsFrom = i + 1 < end && (sign === PLUS || sign === MINUS) ? i + 2 : i + 1;
    i = skipDigits(source, digitsFrom);
    if (i === digitsFrom) return undefined;
  }
  cursor = i;
  const digitsFrom = negative ? from + 1 : from;
  if (i !== integerEnd || integerEnd - digitsFrom > MAX_EXACT_DIGITS) {
    return Number(latin1Text(source, from, i));
  }
  let value = 0;
  for (let j = digitsFrom; j < integerEnd; j++) value = value * 10 + source[j]! - ZERO;
  return negative ? -value : value;
}

function skipDigits(source: Buffer, from: number): number {
  let i = from;
  while (i < end) {
    const byte = source[i]!;
    if (byte < ZERO || byte > NINE) break;
    i++;
  }
  return i;
}
