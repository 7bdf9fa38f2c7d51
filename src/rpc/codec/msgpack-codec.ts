import { Packr } from 'msgpackr';
import { FrameTooLargeError } from '../errors.ts';
import { type Codec, type FrameDecoder, type FrameEncoder, UndecodableValue } from './codec.ts';
import { canWriteHeader, maxHeaderBytes, readHeader, writeHeader } from './msgpack-header.ts';

const LENGTH_PREFIX_BYTES = 4;

// Plain MessagePack maps (no record extension), so that any MessagePack library can read the frames.
const packr = new Packr({ useRecords: false, mapsAsObjects: true });

/** `application/msgpack`: each value is a u32 big-endian length followed by that many MessagePack bytes. */
const msgpackEncoder: FrameEncoder = {
  encode(value, out) {
    const body = packr.pack(value ?? null);
    const at = out.length;
    const bytes = out.reserve(LENGTH_PREFIX_BYTES + body.length);
    bytes.writeUInt32BE(body.length, at);
    bytes.set(body, at + LENGTH_PREFIX_BYTES);
    out.commit(at + LENGTH_PREFIX_BYTES + body.length);
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

/**
 * Decodes frames where they lie in the chunk that brought them: no copy and no sub-buffer per
 * frame. Only a frame (or length prefix) cut by a chunk boundary is copied, once, into a buffer
 * of its final size, so a large frame arriving in many chunks still costs one copy.
 */
class LengthPrefixedDecoder implements FrameDecoder {
  readonly #maxFrameBytes: number;
  /** The start of a length prefix cut by the end of the last chunk. */
  readonly #prefix = Buffer.alloc(LENGTH_PREFIX_BYTES);
  #prefixFilled = 0;
  /** The frame being completed from later chunks, and how much of it has arrived. */
  #frame: Buffer | undefined;
  #frameFilled = 0;

  constructor(maxFrameBytes: number) {
    this.#maxFrameBytes = maxFrameBytes;
  }

  get midFrame(): boolean {
    return this.#frame !== undefined || this.#prefixFilled > 0;
  }

  push(chunk: Buffer, onValue: (value: unknown) => void): void {
    let offset = 0;
    while (offset < chunk.length) {
      const frame = this.#frame;
      if (frame !== undefined) {
        const copied = chunk.copy(frame, this.#frameFilled, offset);
        this.#frameFilled += copied;
        offset += copied;
        if (this.#frameFilled < frame.length) return;
        this.#frame = undefined;
        onValue(unpack(frame, 0, frame.length));
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
        this.#frame = Buffer.allocUnsafe(frameBytes);
        this.#frameFilled = 0;
      }
    }
  }
}

/** One options object for every unpack: it is read at once, never kept. */
const unpackRange = { start: 0, end: 0 };

function unpack(source: Buffer, start: number, end: number): unknown {
  if (start === end) return new UndecodableValue('empty MessagePack frame');
  const header = readHeader(source, start, end);
  if (header !== undefined) return header;
  unpackRange.start = start;
  unpackRange.end = end;
  try {
    return packr.unpack(source, unpackRange);
  } catch (error) {
    return new UndecodableValue(`invalid MessagePack: ${(error as Error).message}`);
  }
}
