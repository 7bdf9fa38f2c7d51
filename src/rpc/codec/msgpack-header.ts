import { utf8Text, writeUtf8 } from '../../util/buffer-text.ts';
import type { Header } from '../header.ts';
import { LastPrefix, MethodPrefixes } from './header-prefixes.ts';

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
  const { ServiceMethod: method, Error: error } = header;
  let position = prefixes.copy(bytes, at, method);
  if (position === -1) {
    position = writeKey(bytes, at, MAP_AND_SERVICE_METHOD_KEY);
    position = writeString(bytes, position, method);
    position = writeKey(bytes, position, SEQ_KEY);
  }
  position = writeUint(bytes, position, header.Seq);
  if (error === '') return writeKey(bytes, position, NO_ERROR);
  position = writeKey(bytes, position, ERROR_KEY);
  return writeString(bytes, position, error);
}

/** A map16 of three entries, as msgpackr writes every object, and the first key. */
const MAP_AND_SERVICE_METHOD_KEY = Buffer.concat([Buffer.from([MAP16, 0, 3]), SERVICE_METHOD_KEY]);
/** The end of every header of a call that did not fail. */
const NO_ERROR = Buffer.concat([ERROR_KEY, Buffer.from([FIXSTR])]);

/** Each method's header bytes up to Seq's value, copied with one set(). */
const prefixes = new MethodPrefixes((method) => {
  const room = Buffer.allocUnsafe(MAP_AND_SERVICE_METHOD_KEY.length + 5 + 3 * method.length + SEQ_KEY.length);
  const end = writeString(room, writeKey(room, 0, MAP_AND_SERVICE_METHOD_KEY), method);
  return Buffer.from(room.subarray(0, writeKey(room, end, SEQ_KEY)));
});

/** A loop, not Buffer.copy: for a few dozen bytes the call into C++ costs more than the copy. */
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
    const length = writeUtf8(bytes, text, at + 2);
    if (length === text.length) {
      bytes[at] = STR8;
      bytes[at + 1] = length;
      return at + 2 + length;
    }
  }
  // Anything else is written after a gap for the longest str header, then moved back to fit.
  const length = writeUtf8(bytes, text, at + 5);
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
  let serviceMethod = lastPrefix.match(source, start, end);
  if (serviceMethod !== undefined) cursor = start + lastPrefix.length;
  else serviceMethod = readPrefix(source, start, end);
  if (serviceMethod === undefined) return undefined;
  const seq = readUint(source, end);
  if (seq === -1) return undefined;
  const afterSeq = cursor;
  if (readKey(source, NO_ERROR, end) && cursor === end) {
    return { ServiceMethod: serviceMethod, Seq: seq, Error: '' };
  }
  cursor = afterSeq;
  if (!readKey(source, ERROR_KEY, end)) return undefined;
  const error = readString(source, end);
  if (error === undefined || cursor !== end) return undefined;
  return { ServiceMethod: serviceMethod, Seq: seq, Error: error };
}

/** The bytes before Seq's value of the last header read: replies mostly repeat them. */
const lastPrefix = new LastPrefix();

/** Reads the map's start, the method and the Seq key, and remembers their bytes; undefined if not a header. */
function readPrefix(source: Buffer, start: number, end: number): string | undefined {
  // msgpackr writes every object as a map16, Go a fixmap.
  if (source[start] === FIXMAP_3) cursor = start + 1;
  else if (source[start] === MAP16 && source[start + 1] === 0 && source[start + 2] === 3) cursor = start + 3;
  else return undefined;
  if (!readKey(source, SERVICE_METHOD_KEY, end)) return undefined;
  const serviceMethod = readString(source, end);
  if (serviceMethod === undefined || !readKey(source, SEQ_KEY, end)) return undefined;
  lastPrefix.remember(source, start, cursor, serviceMethod);
  return serviceMethod;
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
  return length === 0 ? '' : utf8Text(source, from, cursor);
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
