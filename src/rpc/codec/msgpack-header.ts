import type { Header } from '../header.ts';

/**
 * GeeRPC's header as a MessagePack map, written and read by hand. It is half of every message
 * and always the same three keys in the same order, so a few byte comparisons replace
 * msgpackr's general set-up per value. writeHeader writes exactly the bytes msgpackr writes;
 * readHeader also reads the fixmap a Go peer writes, and leaves any other form (other key
 * order, a Seq that is not an unsigned integer) to msgpackr.
 */

const FIXMAP_3 = 0x83;
const MAP16 = 0xde;
const FIXSTR = 0xa0;
const STR8 = 0xd9;
const STR16 = 0xda;
const STR32 = 0xdb;
const UINT8 = 0xcc;
const UINT16 = 0xcd;
const UINT32 = 0xce;
const MAX_FIXINT = 0x7f;
const MAX_FIXSTR_BYTES = 0x1f;
const MAX_STR8_BYTES = 0xff;

/** Each key as MessagePack: a fixstr byte, then its ASCII letters. */
const SERVICE_METHOD_KEY = Buffer.from('\xadServiceMethod', 'latin1');
const SEQ_KEY = Buffer.from('\xa3Seq', 'latin1');
const ERROR_KEY = Buffer.from('\xa5Error', 'latin1');
/** A map header, two str headers, a uint and three keys; string bytes come on top. */
const FIXED_BYTES = 3 + SERVICE_METHOD_KEY.length + SEQ_KEY.length + ERROR_KEY.length + 5 + 5 + 5;

/** Whether `writeHeader` can write this header; otherwise msgpackr packs it. */
export function canWriteHeader(header: Header): boolean {
  return Number.isInteger(header.Seq) && header.Seq >= 0 && header.Seq <= 0xffff_ffff;
}

/** Room enough for the header: UTF-8 takes at most 3 bytes per UTF-16 unit. */
export function maxHeaderBytes(header: Header): number {
  return FIXED_BYTES + 3 * (header.ServiceMethod.length + header.Error.length);
}

/** Writes the header's MessagePack bytes into `bytes` at `at`; returns where they end. */
export function writeHeader(bytes: Buffer, at: number, header: Header): number {
  let position = at;
  // A map16 of three entries, as msgpackr writes every object.
  bytes[position++] = MAP16;
  bytes[position++] = 0;
  bytes[position++] = 3;
  position = writeKey(bytes, position, SERVICE_METHOD_KEY);
  position = writeString(bytes, position, header.ServiceMethod);
  position = writeKey(bytes, position, SEQ_KEY);
  position = writeUint(bytes, position, header.Seq);
  position = writeKey(bytes, position, ERROR_KEY);
  return writeString(bytes, position, header.Error);
}

/** A loop, not Buffer.copy: for a dozen bytes the call into C++ costs more than the copy. */
function writeKey(bytes: Buffer, at: number, key: Buffer): number {
  for (let i = 0; i < key.length; i++) bytes[at + i] = key[i]!;
  return at + key.length;
}

/** Writes `text` as its shortest MessagePack str, as msgpackr does; needs 5 + 3 × length bytes of room. */
export function writeString(bytes: Buffer, at: number, text: string): number {
  // Short ASCII, the usual method name and the empty error, is copied a character at a time:
  // for a few bytes the call into C++ costs more than the copy.
  if (text.length <= MAX_FIXSTR_BYTES) {
    let i = 0;
    for (; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (code >= 0x80) break;
      bytes[at + 1 + i] = code;
    }
    if (i === text.length) {
      bytes[at] = FIXSTR | i;
      return at + 1 + i;
    }
  } else if (text.length <= MAX_STR8_BYTES) {
    // As many UTF-8 bytes as characters only when every character is ASCII: a str8 in place.
    const length = bytes.write(text, at + 2, 'utf8');
    if (length === text.length) {
      bytes[at] = STR8;
      bytes[at + 1] = length;
      return at + 2 + length;
    }
  }
  // Anything else is written after a gap for the longest str header, then moved back to fit.
  const length = bytes.write(text, at + 5, 'utf8');
  let headerBytes: number;
  if (length <= MAX_FIXSTR_BYTES) {
    bytes[at] = FIXSTR | length;
    headerBytes = 1;
  } else if (length <= 0xff) {
    bytes[at] = STR8;
    bytes[at + 1] = length;
    headerBytes = 2;
  } else if (length <= 0xffff) {
    bytes[at] = STR16;
    bytes.writeUInt16BE(length, at + 1);
    headerBytes = 3;
  } else {
    bytes[at] = STR32;
    bytes.writeUInt32BE(length, at + 1);
    headerBytes = 5;
  }
  if (headerBytes < 5) bytes.copyWithin(at + headerBytes, at + 5, at + 5 + length);
  return at + headerBytes + length;
}

function writeUint(bytes: Buffer, at: number, value: number): number {
  if (value <= MAX_FIXINT) {
    bytes[at] = value;
    return at + 1;
  }
  if (value <= 0xff) {
    bytes[at] = UINT8;
    bytes[at + 1] = value;
    return at + 2;
  }
  if (value <= 0xffff) {
    bytes[at] = UINT16;
    bytes.writeUInt16BE(value, at + 1);
    return at + 3;
  }
  bytes[at] = UINT32;
  bytes.writeUInt32BE(value, at + 1);
  return at + 5;
}

/** Where a read stopped, or -1 when the bytes are not in the form this reader knows. */
let cursor = 0;

/**
 * The header in `source[start, end)`, or undefined when the bytes are anything but a map of
 * exactly ServiceMethod, Seq and Error in that order (msgpackr then decodes them).
 */
export function readHeader(source: Buffer, start: number, end: number): Header | undefined {
  // msgpackr writes every object as a map16, Go and writeHeader a fixmap.
  if (source[start] === FIXMAP_3) cursor = start + 1;
  else if (source[start] === MAP16 && source[start + 1] === 0 && source[start + 2] === 3) cursor = start + 3;
  else return undefined;
  if (!readKey(source, SERVICE_METHOD_KEY, end)) return undefined;
  const serviceMethod = readString(source, end);
  if (serviceMethod === undefined || !readKey(source, SEQ_KEY, end)) return undefined;
  const seq = readUint(source, end);
  if (seq === -1 || !readKey(source, ERROR_KEY, end)) return undefined;
  const error = readString(source, end);
  if (error === undefined || cursor !== end) return undefined;
  return { ServiceMethod: serviceMethod, Seq: seq, Error: error };
}

function readKey(source: Buffer, key: Buffer, end: number): boolean {
  if (cursor + key.length > end) return false;
  for (let i = 0; i < key.length; i++) {
    if (source[cursor + i] !== key[i]) return false;
  }
  cursor += key.length;
  return true;
}

function readString(source: Buffer, end: number): string | undefined {
  if (cursor >= end) return undefined;
  const type = source[cursor]!;
  let length: number;
  let headerBytes: number;
  if ((type & 0xe0) === FIXSTR) {
    length = type & MAX_FIXSTR_BYTES;
    headerBytes = 1;
  } else if (type === STR8 && cursor + 2 <= end) {
    length = source[cursor + 1]!;
    headerBytes = 2;
  } else if (type === STR16 && cursor + 3 <= end) {
    length = source.readUInt16BE(cursor + 1);
    headerBytes = 3;
  } else if (type === STR32 && cursor + 5 <= end) {
    length = source.readUInt32BE(cursor + 1);
    headerBytes = 5;
  } else {
    return undefined;
  }
  const from = cursor + headerBytes;
  if (from + length > end) return undefined;
  cursor = from + length;
  if (length === 0) return '';
  return length <= MAX_FIXSTR_BYTES
    ? readShortString(source, from, length)
    : source.toString('utf8', from, cursor);
}

/** The last short string read, and its bytes: a connection mostly calls the same few methods. */
const lastShortBytes = Buffer.alloc(MAX_FIXSTR_BYTES);
let lastShortLength = -1;
let lastShortString = '';

/** Returns the last string again when the bytes match, rather than decoding a new copy. */
function readShortString(source: Buffer, from: number, length: number): string {
  if (length === lastShortLength) {
    let same = 0;
    while (same < length && source[from + same] === lastShortBytes[same]) same++;
    if (same === length) return lastShortString;
  }
  lastShortString = source.toString('utf8', from, from + length);
  lastShortLength = length;
  for (let i = 0; i < length; i++) lastShortBytes[i] = source[from + i]!;
  return lastShortString;
}

function readUint(source: Buffer, end: number): number {
  if (cursor >= end) return -1;
  const type = source[cursor]!;
  if (type <= MAX_FIXINT) {
    cursor += 1;
    return type;
  }
  if (type === UINT8 && cursor + 2 <= end) {
    cursor += 2;
    return source[cursor - 1]!;
  }
  if (type === UINT16 && cursor + 3 <= end) {
    cursor += 3;
    return source.readUInt16BE(cursor - 2);
  }
  if (type === UINT32 && cursor + 5 <= end) {
    cursor += 5;
    return source.readUInt32BE(cursor - 4);
  }
  return -1;
}
