import type { Socket } from 'node:net';
import type { Codec } from './codec.ts';

/**
 * Collects the frames produced during one turn of the event loop and writes them with one
 * `socket.write`: a syscall per frame, not the encoding, is what limits small-call throughput.
 */
export class FrameWriter {
  readonly #socket: Socket;
  readonly #codec: Codec;
  #chunks: Buffer[] = [];
  #scheduled = false;
  readonly #flush = (): void => this.flush();

  constructor(socket: Socket, codec: Codec) {
    this.#socket = socket;
    this.#codec = codec;
  }

  /** Queues a header frame and a body frame, which always travel together. */
  writeMessage(header: unknown, body: unknown): void {
    this.#codec.encode(header, this.#chunks);
    this.#codec.encode(body, this.#chunks);
    if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(this.#flush);
    }
  }

  /** Bytes written ahead of any frame, such as the handshake. */
  writeRaw(bytes: Buffer): void {
    this.#chunks.push(bytes);
    if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(this.#flush);
    }
  }

  flush(): void {
    this.#scheduled = false;
    const chunks = this.#chunks;
    if (chunks.length === 0) return;
    this.#chunks = [];
    if (this.#socket.destroyed || !this.#socket.writable) return;
    this.#socket.write(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
  }
}
