import { latin1Text } from '../../util/buffer-text.ts';
import type { Header } from '../header.ts';
import { LastPrefix, MethodPrefixes } from './header-prefixes.ts';

/**
 * GeeRPC's header as a JSON line, written and read by hand: it is half of every message and
 * always the same three keys in the same order, so byte comparisons replace a JSON.stringify or
 * a JSON.parse per message. writeJsonHeader writes exactly what JSON.stringify writes for a
 * header of plain printable ASCII; readJsonHeader reads that form (as Go's json.Encoder also
 * writes it) and leaves every other form to JSON.parse.
 */

const PREFIX = Buffer.from('{"ServiceMethod":"', 'latin1');
const SEQ_KEY = Buffer.from('","Seq":', 'latin1');
const ERROR_KEY = Buffer.from(',"Error":"', 'latin1');
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const CLOSE_BRACE = 0x7d;
const ZERO = 0x30;
const NINE = 0x39;
const MAX_SEQ_DIGITS = 16;
/** The fixed bytes of the line, and the longest Seq; the strings come on top. */
export const FIXED_JSON_HEADER_BYTES = PREFIX.length + SEQ_KEY.length + MAX_SEQ_DIGITS + ERROR_KEY.length + 2;

/** Whether every character is printable ASCII that JSON writes as itself. */
function isPlain(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code > 0x7e || code === QUOTE || code === BACKSLASH) return false;
  }
  return true;
}

/** Whether writeJsonHeader can write this header; otherwise JSON.stringify does. */
export function canWriteJsonHeader(header: Header): boolean {
  return (
    Number.isSafeInteger(header.Seq) &&
    header.Seq >= 0 &&
    (prefixes.of(header.ServiceMethod) !== undefined || isPlain(header.ServiceMethod)) &&
    isPlain(header.Error)
  );
}

/** Room enough for the header's line without its newline. */
export function maxJsonHeaderBytes(header: Header): number {
  return FIXED_JSON_HEADER_BYTES + header.ServiceMethod.length + header.Error.length;
}

/** Writes `{"ServiceMethod":"…","Seq":…,"Error":"…"}` into `bytes` at `at`; returns where it ends. */
export function writeJsonHeader(bytes: Buffer, at: number, header: Header): number {
  let position = prefixes.copy(bytes, at, header.ServiceMethod);
  if (position === -1) {
    position = copy(bytes, at, PREFIX);
    position = writeAscii(bytes, position, header.ServiceMethod);
    position = copy(bytes, position, SEQ_KEY);
  }
  position = writeDigits(bytes, position, header.Seq);
  if (header.Error === '') return copy(bytes, position, NO_ERROR);
  position = copy(bytes, position, ERROR_KEY);
  position = writeAscii(bytes, position, header.Error);
  bytes[position++] = QUOTE;
  bytes[position++] = CLOSE_BRACE;
  return position;
}

/** The end of every header of a call that did not fail. */
const NO_ERROR = Buffer.from(',"Error":""}', 'latin1');

/** Each plain method's line up to Seq's value, copied with one set(). */
const prefixes = new MethodPrefixes((method) =>
  isPlain(method) ? Buffer.concat([PREFIX, Buffer.from(method, 'latin1'), SEQ_KEY]) : undefined,
);

function copy(bytes: Buffer, at: number, fixed: Buffer): number {
  for (let i = 0; i < fixed.length; i++) bytes[at + i] = fixed[i]!;
  return at + fixed.length;
}

function writeAscii(bytes: Buffer, at: number, text: string): number {
  for (let i = 0; i < text.length; i++) bytes[at + i] = text.charCodeAt(i);
  return at + text.length;
}

/** Writes a safe non-negative integer in decimal; returns where it ends. */
export function writeDigits(bytes: Buffer, at: number, value: number): number {
  // Integer division while the value fits in 31 bits, the usual Seq; floating division past it.
  const small = value <= 0x7fff_ffff;
  let digits = 1;
  for (let rest = value; rest >= 10; rest = small ? (rest / 10) | 0 : Math.floor(rest / 10)) digits++;
  let rest = value;
  for (let i = digits - 1; i >= 0; i--) {
    bytes[at + i] = ZERO + (rest % 10);
    rest = small ? (rest / 10) | 0 : Math.floor(rest / 10);
  }
  return at + digits;
}

/** Where a read stopped. */
let cursor = 0;

/**
 * The header in `source[start, end)` (a line without its newline), or undefined for any form but
 * the one writeJsonHeader writes: escapes, spaces, other key orders go to JSON.parse.
 */
export function readJsonHeader(source: Buffer, start: number, end: number): Header | undefined {
  let serviceMethod = lastPrefix.match(source, start, end);
  if (serviceMethod !== undefined) {
    cursor = start + lastPrefix.length;
  } else {
    cursor = start;
    if (!readFixed(source, PREFIX, end)) return undefined;
    serviceMethod = readPlainString(source, end);
    if (serviceMethod === undefined || !readFixed(source, SEQ_KEY, end)) return undefined;
    lastPrefix.remember(source, start, cursor, serviceMethod);
  }
  const seq = readDigits(source, end);
  if (seq === -1 || !readFixed(source, ERROR_KEY, end)) return undefined;
  const error = readPlainString(source, end);
  if (error === undefined || cursor + 2 !== end || source[cursor + 1] !== CLOSE_BRACE) return undefined;
  return { ServiceMethod: serviceMethod, Seq: seq, Error: error };
}

/** The line's bytes before Seq's value in the last header read: replies mostly repeat them. */
const lastPrefix = new LastPrefix();

function readFixed(source: Buffer, fixed: Buffer, end: number): boolean {
  if (cursor + fixed.length > end) return false;
  for (let i = 0; i < fixed.length; i++) {
    if (source[cursor + i] !== fixed[i]) return false;
  }
  cursor += fixed.length;
  return true;
}

/** The ASCII up to the closing quote (left for the next read), or undefined at an escape or a non-ASCII byte. */
function readPlainString(source: Buffer, end: number): string | undefined {
  const from = cursor;
  while (cursor < end) {
    const byte = source[cursor]!;
    if (byte === QUOTE) {
      return from === cursor ? '' : latin1Text(source, from, cursor);
    }
    if (byte < 0x20 || byte > 0x7e || byte === BACKSLASH) return undefined;
    cursor++;
  }
  return undefined;
}

/** A non-negative integer without leading zeros that is safe in a double, or -1. */
function readDigits(source: Buffer, end: number): number {
  const from = cursor;
  let value = 0;
  while (cursor < end) {
    const byte = source[cursor]!;
    if (byte < ZERO || byte > NINE) break;
    value = value * 10 + (byte - ZERO);
    cursor++;
  }
  const digits = cursor - from;
  if (digits === 0 || digits > MAX_SEQ_DIGITS || (digits > 1 && source[from] === ZERO)) return -1;
  return Number.isSafeInteger(value) ? value : -1;
}
