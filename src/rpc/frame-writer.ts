import type { Socket } from 'node:net';
import type { Codec, FrameEncoder } from './codec/codec.ts';
import type { Header } from './header.ts';
import { OutputBuffer } from './output-buffer.ts';

/**
 * Bytes queued past which a batch is written at once instead of at the end of the turn. The peer
 * then decodes the first frames while the rest are encoded, so client and server work side by
 * side on two cores instead of taking turns; a few KiB per write still spreads one syscall over
 * dozens of small frames.
 */
export const EARLY_FLUSH_BYTES = 4096;

/**
 * Collects the frames produced during one turn of the event loop and writes them with one
 * `socket.write` (or one per EARLY_FLUSH_BYTES): a syscall per frame, not the encoding, is what
 * limits small-call throughput. Frames are encoded straight into one reused buffer, which is
 * handed to the socket without a copy.
 */
export class FrameWriter {
  readonly #socket: Socket;
  readonly #encoder: FrameEncoder;
  readonly #out = new OutputBuffer();
  #scheduled = false;
  readonly #flush = (): void => this.flush();
  readonly #maxBufferedBytes: number;
  #congested = false;
  readonly #onDrain = (): void => {
    this.#congested = false;
  };

  /** `maxBufferedBytes`: past it (and the socket's highWaterMark) `congested` is true until 'drain'. */
  constructor(socket: Socket, codec: Codec, maxBufferedBytes = Number.POSITIVE_INFINITY) {
    this.#socket = socket;
    this.#encoder = codec.createEncoder();
    this.#maxBufferedBytes = maxBufferedBytes;
  }

  /**
   * The socket held more than maxBufferedBytes unsent after the last write, and has not drained
   * since. Checked once per write, not per frame: the hot path reads one field.
   */
  get congested(): boolean {
    return this.#congested;
  }

  /** Bytes the socket holds unsent. */
  get bufferedBytes(): number {
    return this.#socket.writableLength;
  }

  /**
   * Queues a header frame and a body frame, which always travel together. Throws what the codec
   * throws (a BigInt for JSON, a cycle) and then queues nothing: a header without its body
   * would desynchronise the stream for every later message.
   */
  writeMessage(header: Header, body: unknown): void {
    const mark = this.#out.length;
    try {
      this.#encoder.encodeHeader(header, this.#out);
      this.#encoder.encode(body, this.#out);
    } catch (error) {
      this.#out.truncate(mark);
      throw error;
    }
    if (this.#out.length >= EARLY_FLUSH_BYTES) this.write();
    else this.#schedule();
  }

  /** Bytes written ahead of any frame, such as the handshake. */
  writeRaw(bytes: Buffer): void {
    this.#out.append(bytes);
    this.#schedule();
  }

  /** Writes whatever is queued now. */
  flush(): void {
    this.#scheduled = false;
    this.write();
  }

  #schedule(): void {
    if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(this.#flush);
    }
  }

  /** Sends the bytes queued; the test-only fault injection's writer extends it (see frame-writers.ts). */
  protected write(): void {
    if (this.#out.length === 0) return;
    if (this.#socket.destroyed || !this.#socket.writable) {
      this.#out.truncate(0);
      return;
    }
    // A socket with nothing queued mostly takes the bytes at once: it is lent the buffer itself, and
    // the next batch is encoded over it, with no copy and no new buffer. A socket with a queue
    // gets a copy of the bytes alone, so that a slow reader never holds more than one whole buffer.
    const idle = this.#socket.writableLength === 0;
    const flowing = this.#socket.write(idle ? this.#out.lend() : this.#out.take());
    if (idle && this.#socket.writableLength === 0) this.#out.reclaim();
    // 'drain' only follows a write() that returned false: past the limit and the highWaterMark.
    else if (!flowing && !this.#congested && this.#socket.writableLength > this.#maxBufferedBytes) {
      this.#congested = true;
      this.#socket.once('drain', this.#onDrain);
    }
  }
}
