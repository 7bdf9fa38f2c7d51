import { ByteQueue } from './byte-queue.ts';
import { type Codec, type FrameDecoder, UndecodableValue } from './codec.ts';
import { FrameTooLargeError } from './errors.ts';

const NEWLINE = 0x0a;

/**
 * `application/json`: each value is one JSON text followed by a newline, which is exactly what
 * Go's json.Encoder writes. JSON escapes newlines inside strings, so a newline always ends a value.
 */
export const jsonCodec: Codec = {
  name: 'application/json',
  encode(value, out) {
    out.push(Buffer.from(`${JSON.stringify(value) ?? 'null'}\n`));
  },
  createDecoder(maxFrameBytes) {
    return new JsonLineDecoder(maxFrameBytes);
  },
};

class JsonLineDecoder implements FrameDecoder {
  readonly #queue = new ByteQueue();
  readonly #maxFrameBytes: number;
  /** Bytes already known to hold no newline. */
  #scanned = 0;

  constructor(maxFrameBytes: number) {
    this.#maxFrameBytes = maxFrameBytes;
  }

  push(chunk: Buffer, onValue: (value: unknown) => void): void {
    const queue = this.#queue;
    queue.push(chunk);
    for (;;) {
      const newline = queue.indexOf(NEWLINE, this.#scanned);
      if (newline === -1) {
        this.#scanned = queue.length;
        if (queue.length > this.#maxFrameBytes)
          throw new FrameTooLargeError(queue.length, this.#maxFrameBytes);
        return;
      }
      if (newline > this.#maxFrameBytes) throw new FrameTooLargeError(newline, this.#maxFrameBytes);
      const line = queue.take(newline + 1);
      this.#scanned = 0;
      const text = line.toString('utf8', 0, newline).trim();
      if (text.length === 0) continue;
      onValue(parse(text));
    }
  }
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    return new UndecodableValue(`invalid JSON: ${(error as Error).message}`);
  }
}
