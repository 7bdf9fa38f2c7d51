import { connect, type Socket } from 'node:net';
import { ConnectionClosedError, ProtocolError } from '../../rpc/errors.ts';
import type { CallDriver, CallSlot } from './call-driver.ts';
import { rawEchoFrame } from './payload.ts';
import { SlotQueue } from './slot-queue.ts';

const LENGTH_PREFIX_BYTES = 4;

/**
 * Sends length-prefixed frames to the raw echo server and matches each echoed frame to the
 * oldest outstanding one (the echo keeps order). Frames started in one event-loop turn go out
 * in one write, as the RPC client's do, so the comparison is like for like.
 */
export class RawEchoDriver implements CallDriver {
  readonly #socket: Socket;
  readonly #frame = rawEchoFrame();
  /** The frame repeated: a batch of n frames is its first n frames. */
  #batch = Buffer.alloc(0);
  /** Slots waiting for their echo, oldest first. */
  readonly #waiting = new SlotQueue();
  #queuedFrames = 0;
  /** The length prefix being received, when a chunk ended inside it. */
  readonly #prefix = Buffer.alloc(LENGTH_PREFIX_BYTES);
  #prefixFilled = 0;
  /** Body bytes of the frame being received that have not arrived yet. */
  #bodyRemaining = 0;
  #closed = false;
  readonly #flush = (): void => this.#writeQueued();

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('error', () => {});
    socket.on('close', () => this.#failAll(new ConnectionClosedError('raw echo connection closed')));
  }

  static connect(port: number): Promise<RawEchoDriver> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('error', reject);
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve(new RawEchoDriver(socket));
      });
    });
  }

  start(slot: CallSlot): void {
    if (this.#closed) {
      queueMicrotask(() => slot.fail(new ConnectionClosedError('raw echo connection closed')));
      return;
    }
    this.#waiting.push(slot);
    if (this.#queuedFrames++ === 0) setImmediate(this.#flush);
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.#socket.closed) return resolve();
      this.#socket.once('close', () => resolve());
      this.#socket.end();
    });
  }

  #writeQueued(): void {
    const count = this.#queuedFrames;
    this.#queuedFrames = 0;
    if (this.#closed || count === 0) return;
    const frame = this.#frame;
    const bytes = frame.length * count;
    if (this.#batch.length < bytes) {
      this.#batch = Buffer.allocUnsafe(bytes);
      for (let i = 0; i < count; i++) frame.copy(this.#batch, i * frame.length);
    }
    // Its bytes never change, so a write still queued in the socket may share it.
    this.#socket.write(this.#batch.subarray(0, bytes));
  }

  /** Reads each frame's length prefix, as any client of a length-prefixed protocol must. */
  #onData(chunk: Buffer): void {
    let offset = 0;
    while (offset < chunk.length) {
      if (this.#bodyRemaining > 0) {
        const taken = Math.min(this.#bodyRemaining, chunk.length - offset);
        this.#bodyRemaining -= taken;
        offset += taken;
        if (this.#bodyRemaining === 0) this.#completeOldest();
        continue;
      }
      if (this.#prefixFilled === 0 && chunk.length - offset >= LENGTH_PREFIX_BYTES) {
        this.#bodyRemaining = chunk.readUInt32BE(offset);
        offset += LENGTH_PREFIX_BYTES;
      } else {
        // A prefix cut by the end of a chunk.
        const copied = chunk.copy(this.#prefix, this.#prefixFilled, offset);
        this.#prefixFilled += copied;
        offset += copied;
        if (this.#prefixFilled < LENGTH_PREFIX_BYTES) return;
        this.#prefixFilled = 0;
        this.#bodyRemaining = this.#prefix.readUInt32BE(0);
      }
      if (this.#bodyRemaining === 0) this.#completeOldest();
    }
  }

  #completeOldest(): void {
    const slot = this.#waiting.shift();
    if (slot === undefined) {
      this.#socket.destroy(new ProtocolError('ERR_BAD_FRAME', 'raw echo: more frames than were sent'));
      return;
    }
    slot.complete();
  }

  #failAll(error: Error): void {
    this.#closed = true;
    for (let slot = this.#waiting.shift(); slot !== undefined; slot = this.#waiting.shift()) slot.fail(error);
  }
}
