const INITIAL_CAPACITY_BYTES = 16 * 1024;
/** A buffer grown past this for one large batch is dropped after it, not kept for good. */
const MAX_RETAINED_CAPACITY_BYTES = 1024 * 1024;

/**
 * A growing byte buffer that codecs encode frames into, reused from one batch to the next,
 * so that a batch of small frames costs one allocation instead of several per frame.
 */
export class OutputBuffer {
  #bytes = Buffer.allocUnsafe(INITIAL_CAPACITY_BYTES);
  #length = 0;
  /** The bytes lent by lend() are in #bytes and not reclaimed yet. */
  #lent = false;

  /** The bytes written so far. */
  get length(): number {
    return this.#length;
  }

  /**
   * Makes room for `bytes` more bytes and returns the buffer to write them into, from offset
   * `length` on; `commit()` then counts what was written.
   */
  reserve(bytes: number): Buffer {
    // The lent bytes may still be read: write elsewhere.
    if (this.#lent) {
      this.#bytes = Buffer.allocUnsafe(INITIAL_CAPACITY_BYTES);
      this.#lent = false;
    }
    const needed = this.#length + bytes;
    if (needed > this.#bytes.length) {
      const grown = Buffer.allocUnsafe(Math.max(needed, this.#bytes.length * 2));
      this.#bytes.copy(grown, 0, 0, this.#length);
      this.#bytes = grown;
    }
    return this.#bytes;
  }

  /** Counts the bytes written after `reserve()`: the new length. */
  commit(length: number): void {
    this.#length = length;
  }

  append(bytes: Uint8Array): void {
    this.reserve(bytes.length).set(bytes, this.#length);
    this.#length += bytes.length;
  }

  /** Forgets everything written after `length`, as after a value that failed to encode. */
  truncate(length: number): void {
    this.#length = Math.min(this.#length, length);
  }

  /**
   * Returns the bytes written, without a copy, and empties the buffer. They stay as they are until
   * `reclaim()`: until then the buffer's next bytes go to a new one.
   */
  lend(): Buffer {
    const lent = this.#bytes.subarray(0, this.#length);
    this.#length = 0;
    if (this.#bytes.length > MAX_RETAINED_CAPACITY_BYTES)
      this.#bytes = Buffer.allocUnsafe(INITIAL_CAPACITY_BYTES);
    else this.#lent = true;
    return lent;
  }

  /** Whoever was lent the bytes is done with them: the buffer is written over from now on. */
  reclaim(): void {
    this.#lent = false;
  }

  /**
   * Returns a copy of the bytes written and empties the buffer. A copy, because the socket may
   * still hold the bytes of one write when the next batch is being encoded.
   */
  take(): Buffer {
    const taken = Buffer.from(this.#bytes.subarray(0, this.#length));
    this.#length = 0;
    if (this.#bytes.length > MAX_RETAINED_CAPACITY_BYTES) {
      this.#bytes = Buffer.allocUnsafe(INITIAL_CAPACITY_BYTES);
    }
    return taken;
  }
}
