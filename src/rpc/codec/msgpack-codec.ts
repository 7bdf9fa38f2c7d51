import { Packr, RESET_BUFFER_MODE, REUSE_BUFFER_MODE } from 'msgpackr';
import { FrameTooLargeError } from '../errors.ts';
import { UndecodableValue } from '../undecodable-value.ts';
import type { Codec, FrameDecoder, FrameEncoder } from './codec.ts';
import { writeBody } from './msgpack-body.ts';
import { NOT_READ, readBody } from './msgpack-body-reader.ts';
import { canWriteHeader, maxHeaderBytes, readHeader, writeHeader } from './msgpack-header.ts';

const LENGTH_PREFIX_BYTES = 4;

// Plain MessagePack maps (no record extension), so that any MessagePack library can read the frames.
const packr = new Packr({ useRecords: false, mapsAsObjects: true });
/** For the rare frame naming `__proto__`, which msgpackr's objects would rename `__proto_`. */
const mapPackr = new Packr({ useRecords: false, mapsAsObjects: false });

/** Room tried for a body written by hand; a larger body is left to msgpackr. */
const BODY_ROOM_BYTES = 1024;
/** msgpackr packs into its own reused buffer and hands that back: no buffer per value. */
const PACK_INTO_REUSED_BUFFER = REUSE_BUFFER_MODE | RESET_BUFFER_MODE;

/** `application/msgpack`: each value is a u32 big-endian length followed by that many MessagePack bytes. */
const msgpackEncoder: FrameEncoder = {
  encode(value, out) {
    const at = out.length;
    const bytes = out.reserve(LENGTH_PREFIX_BYTES + BODY_ROOM_BYTES);
    const start = at + LENGTH_PREFIX_BYTES;
    const end = writeBody(bytes, start, start + BODY_ROOM_BYTES, value ?? null);
    if (end !== -1) {
      bytes.writeUInt32BE(end - start, at);
      out.commit(end);
      return;
    }
    const packed = packr.pack(value ?? null, PACK_INTO_REUSED_BUFFER) as Buffer & {
      start: number;
      end: number;
    };
    const length = packed.end - packed.start;
    const room = out.reserve(LENGTH_PREFIX_BYTES + length);
    room.writeUInt32BE(length, at);
    packed.copy(room, start, packed.start, packed.end);
    out.commit(start + length);
  },
  encodeHeader(header, out) {
    if (!canWriteHeader(header)) {
      this.encode(header, out);
      return;
    }
    const at = out.length;
    const bytes = out.reserve(LENGTH_PREFIX_BYTES + maxHeaderBytes(header));
    const end = writeHeader(bytes, at + LENGTH_PREFIX_BYTES, header);
    bytes.writeUInt32BE(end - at - LENGTH_PREFIX_BYTES, at);
    out.commit(end);
  },
};

export const msgpackCodec: Codec = {
  name: 'application/msgpack',
  createEncoder: () => msgpackEncoder,
  createDecoder(maxFrameBytes) {
    return new LengthPrefixedDecoder(maxFrameBytes);
  },
};

/** The first room for a cut frame; it doubles as bytes arrive, up to the frame's length. */
const MIN_FRAME_ROOM_BYTES = 16 * 1024;

/**
 * Decodes frames where they lie in the chunk that brought them: no copy and no sub-buffer per
 * frame. Only a frame (or length prefix) cut by a chunk boundary is copied aside, into a buffer
 * that doubles as its bytes arrive, up to the declared length: a peer that declares 15 MiB and
 * sends 10 bytes gets 16 KiB reserved, not 15 MiB.
 */
class LengthPrefixedDecoder implements FrameDecoder {
  readonly #maxFrameBytes: number;
  /** The start of a length prefix cut by the end of the last chunk. */
  readonly #prefix = Buffer.alloc(LENGTH_PREFIX_BYTES);
  #prefixFilled = 0;
  /** The frame being completed from later chunks: its declared length, and what has arrived. */
  #frame: Buffer | undefined;
  #frameBytes = 0;
  #frameFilled = 0;

  constructor(maxFrameBytes: number) {
    this.#maxFrameBytes = maxFrameBytes;
  }

  get midFrame(): boolean {
    return this.#frame !== undefined || this.#prefixFilled > 0;
  }

  get heldBytes(): number {
    return this.#frame?.length ?? 0;
  }

  push(chunk: Buffer, onValue: (value: unknown) => void): void {
    neverUsedScan.forget();
    protoKeyScan.forget();
    let offset = 0;
    while (offset < chunk.length) {
      if (this.#frame !== undefined) {
        const copied = Math.min(chunk.length - offset, this.#frameBytes - this.#frameFilled);
        const frame = this.#room(this.#frameFilled + copied);
        chunk.copy(frame, this.#frameFilled, offset, offset + copied);
        this.#frameFilled += copied;
        offset += copied;
        if (this.#frameFilled < this.#frameBytes) return;
        this.#frame = undefined;
        onValue(unpack(frame, 0, this.#frameBytes));
        continue;
      }
      let frameBytes: number;
      if (this.#prefixFilled > 0 || chunk.length - offset < LENGTH_PREFIX_BYTES) {
        const copied = chunk.copy(this.#prefix, this.#prefixFilled, offset);
        this.#prefixFilled += copied;
        offset += copied;
        if (this.#prefixFilled < LENGTH_PREFIX_BYTES) return;
        this.#prefixFilled = 0;
        frameBytes = this.#prefix.readUInt32BE(0);
      } else {
        frameBytes = chunk.readUInt32BE(offset);
        offset += LENGTH_PREFIX_BYTES;
      }
      if (frameBytes > this.#maxFrameBytes) throw new FrameTooLargeError(frameBytes, this.#maxFrameBytes);
      if (chunk.length - offset >= frameBytes) {
        onValue(unpack(chunk, offset, offset + frameBytes));
        offset += frameBytes;
      } else {
        this.#frame = EMPTY;
        this.#frameBytes = frameBytes;
        this.#frameFilled = 0;
      }
    }
  }

  /** The frame's buffer with room for `needed` bytes: doubled at least, never past the frame. */
  #room(needed: number): Buffer {
    const frame = this.#frame!;
    if (frame.length >= needed) return frame;
    const doubled = Math.max(MIN_FRAME_ROOM_BYTES, 2 * frame.length);
    const grown = Buffer.allocUnsafe(Math.min(this.#frameBytes, Math.max(needed, doubled)));
    frame.copy(grown, 0, 0, this.#frameFilled);
    this.#frame = grown;
    return grown;
  }
}

/** A cut frame before its first byte arrived. */
const EMPTY = Buffer.alloc(0);

/** One options object for every unpack: it is read at once, never kept. */
const unpackRange = { start: 0, end: 0 };

function unpack(source: Buffer, start: number, end: number): unknown {
  if (start === end) return new UndecodableValue('empty MessagePack frame');
  const header = readHeader(source, start, end);
  if (header !== undefined) return header;
  const body = readBody(source, start, end);
  if (body !== NOT_READ) return body;
  if (mayHoldNeverUsed(source, start, end) && holdsNeverUsed(source, start, end)) {
    return new UndecodableValue('invalid MessagePack: the never-used byte 0xc1 in place of a value');
  }
  unpackRange.start = start;
  unpackRange.end = end;
  try {
    if (protoKeyScan.within(source, start, end)) return objectsOf(mapPackr.unpack(source, unpackRange));
    return packr.unpack(source, unpackRange);
  } catch (error) {
    return new UndecodableValue(`invalid MessagePack: ${(error as Error).message}`);
  }
}

const NEVER_USED = 0xc1;

/**
 * Whether some bytes occur in a frame. One indexOf, which runs to the buffer's end, answers for
 * every frame of a chunk before the match it found: the frames of one chunk cost one scan, not one each.
 */
class ChunkScan {
  readonly #pattern: number | Buffer;
  /** Where the next match lies in #source at or after #from (-1: none to its end). */
  #source: Buffer | undefined;
  #from = 0;
  #at = -1;

  constructor(pattern: number | Buffer) {
    this.#pattern = pattern;
  }

  /** A caller may refill a buffer it pushed before: a scan is trusted within one push only. */
  forget(): void {
    this.#source = undefined;
  }

  /** Whether the pattern begins anywhere in `source[start, end)`. */
  within(source: Buffer, start: number, end: number): boolean {
    if (source !== this.#source || start < this.#from || (this.#at !== -1 && start > this.#at)) {
      this.#source = source;
      this.#from = start;
      this.#at = source.indexOf(this.#pattern, start);
    }
    return this.#at !== -1 && this.#at < end;
  }
}

const neverUsedScan = new ChunkScan(NEVER_USED);
const protoKeyScan = new ChunkScan(Buffer.from('__proto__'));

function mayHoldNeverUsed(source: Buffer, start: number, end: number): boolean {
  return neverUsedScan.within(source, start, end);
}

/**
 * Plain objects from maps, with every key kept as an own property: `__proto__` too, as
 * JSON.parse keeps it, never as the prototype (defineProperty sets no prototype).
 */
function objectsOf(value: unknown): unknown {
  if (value instanceof Map) {
    const object: Record<string, unknown> = {};
    for (const [key, entry] of value) {
      Object.defineProperty(object, String(key), {
        value: objectsOf(entry),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return object;
  }
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) value[index] = objectsOf(value[index]);
  }
  return value;
}

/**
 * Whether 0xc1 stands where a value starts in the MessagePack of `source[start, end)` (rather
 * than inside a string, a number or binary). msgpackr would hand it on as its C1 object, which
 * a reply would echo; a truncated or otherwise malformed frame is left to msgpackr.
 */
export function holdsNeverUsed(source: Buffer, start: number, end: number): boolean {
  let at = start;
  let values = 1;
  while (values > 0 && at < end) {
    values--;
    const token = source[at++]!;
    if (token <= 0x7f || token >= 0xe0) continue;
    if (token <= 0x8f) {
      values += 2 * (token & 0x0f);
      continue;
    }
    if (token <= 0x9f) {
      values += token & 0x0f;
      continue;
    }
    if (token <= 0xbf) {
      at += token & 0x1f;
      continue;
    }
    switch (token) {
      case NEVER_USED:
        return true;
      case 0xc4: // bin 8
      case 0xd9: // str 8
        if (at + 1 > end) return false;
        at += 1 + source[at]!;
        break;
      case 0xc5:
      case 0xda:
        if (at + 2 > end) return false;
        at += 2 + source.readUInt16BE(at);
        break;
      case 0xc6:
      case 0xdb:
        if (at + 4 > end) return false;
        at += 4 + source.readUInt32BE(at);
        break;
      case 0xc7: // ext 8: length, type, data
        if (at + 1 > end) return false;
        at += 2 + source[at]!;
        break;
      case 0xc8:
        if (at + 2 > end) return false;
        at += 3 + source.readUInt16BE(at);
        break;
      case 0xc9:
        if (at + 4 > end) return false;
        at += 5 + source.readUInt32BE(at);
        break;
      case 0xcc:
      case 0xd0:
        at += 1;
        break;
      case 0xcd:
      case 0xd1:
        at += 2;
        break;
      case 0xca:
      case 0xce:
      case 0xd2:
        at += 4;
        break;
      case 0xcb:
      case 0xcf:
      case 0xd3:
        at += 8;
        break;
      case 0xd4: // fixext 1, 2, 4, 8, 16: type, then data
        at += 2;
        break;
      case 0xd5:
        at += 3;
        break;
      case 0xd6:
        at += 5;
        break;
      case 0xd7:
        at += 9;
        break;
      case 0xd8:
        at += 17;
        break;
      case 0xdc:
        if (at + 2 > end) return false;
        values += source.readUInt16BE(at);
        at += 2;
        break;
      case 0xdd:
        if (at + 4 > end) return false;
        values += source.readUInt32BE(at);
        at += 4;
        break;
      case 0xde:
        if (at + 2 > end) return false;
        values += 2 * source.readUInt16BE(at);
        at += 2;
        break;
      case 0xdf:
        if (at + 4 > end) return false;
        values += 2 * source.readUInt32BE(at);
        at += 4;
        break;
      default: // nil, false, true
        break;
    }
  }
  return false;
}
