/**
 * The bytes received but not yet consumed, kept as the chunks they arrived in, so that a large
 * frame arriving in many chunks is copied once, not once per chunk.
 */
export class ByteQueue {
  #chunks: Buffer[] = [];
  #length = 0;

  get length(): number {
    return this.#length;
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.#chunks.push(chunk);
    this.#length += chunk.length;
  }

  /** Removes and returns the first `n` bytes; copies only when they span chunks. */
  take(n: number): Buffer {
    const first = this.#chunks[0]!;
    this.#length -= n;
    if (first.length === n) {
      this.#chunks.shift();
      return first;
    }
    if (first.length > n) {
      this.#chunks[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    const out = Buffer.allocUnsafe(n);
    let copied = 0;
    while (copied < n) {
      const chunk = this.#chunks[0]!;
      const wanted = n - copied;
      if (chunk.length <= wanted) {
        chunk.copy(out, copied);
        copied += chunk.length;
        this.#chunks.shift();
      } else {
        chunk.copy(out, copied, 0, wanted);
        this.#chunks[0] = chunk.subarray(wanted);
        copied += wanted;
      }
    }
    return out;
  }

  /** The unsigned 32-bit big-endian integer at the front, without consuming it. */
  peekUInt32BE(): number {
    const first = this.#chunks[0]!;
    if (first.length >= 4) return first.readUInt32BE(0);
    let value = 0;
    let read = 0;
    for (const chunk of this.#chunks) {
      for (let i = 0; i < chunk.length && read < 4; i++, read++) value = value * 256 + chunk[i]!;
      if (read === 4) break;
    }
    return value;
  }

  /** The offset of `byte` at or after `from`, or -1. */
  indexOf(byte: number, from: number): number {
    let base = 0;
    for (const chunk of this.#chunks) {
      if (from < base + chunk.length) {
        const found = chunk.indexOf(byte, Math.max(0, from - base));
        if (found !== -1) return base + found;
      }
      base += chunk.length;
    }
    return -1;
  }
}
