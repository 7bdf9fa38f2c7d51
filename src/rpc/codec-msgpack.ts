import { Packr } from 'msgpackr';
import { ByteQueue } from './byte-queue.ts';
import { type Codec, type FrameDecoder, UndecodableValue } from './codec.ts';
import { FrameTooLargeError } from './errors.ts';

const LENGTH_PREFIX_BYTES = 4;

// Plain MessagePack maps (no record extension), so that any MessagePack library can read the frames.
const packr = new Packr({ useRecords: false, mapsAsObjects: true });

/** `application/msgpack`: each value is a u32 big-endian length followed by that many MessagePack bytes. */
export const msgpackCodec: Codec = {
  name: 'application/msgpack',
  encode(value, out) {
    const body = packr.pack(value ?? null);
    const prefix = Buffer.allocUnsafe(LENGTH_PREFIX_BYTES);
    prefix.writeUInt32BE(body.length, 0);
    out.push(prefix, body);
  },
  createDecoder(maxFrameBytes) {
    return new LengthPrefixedDecoder(maxFrameBytes);
  },
};

class LengthPrefixedDecoder implements FrameDecoder {
  readonly #queue = new ByteQueue();
  readonly #maxFrameBytes: number;
  /** The length of the frame being received, or -1 while its prefix has not arrived. */
  #frameBytes = -1;

  constructor(maxFrameBytes: number) {
    this.#maxFrameBytes = maxFrameBytes;
  }

  push(chunk: Buffer, onValue: (value: unknown) => void): void {
    const queue = this.#queue;
    queue.push(chunk);
    for (;;) {
      if (this.#frameBytes === -1) {
        if (queue.length < LENGTH_PREFIX_BYTES) return;
        const frameBytes = queue.peekUInt32BE();
        if (frameBytes > this.#maxFrameBytes) throw new FrameTooLargeError(frameBytes, this.#maxFrameBytes);
        queue.take(LENGTH_PREFIX_BYTES);
        this.#frameBytes = frameBytes;
      }
      if (queue.length < this.#frameBytes) return;
      const frame = queue.take(this.#frameBytes);
      this.#frameBytes = -1;
      onValue(unpack(frame));
    }
  }
}

function unpack(frame: Buffer): unknown {
  if (frame.length === 0) return new UndecodableValue('empty MessagePack frame');
  try {
    return packr.unpack(frame);
  } catch (error) {
    return new UndecodableValue(`invalid MessagePack: ${(error as Error).message}`);
  }
}
