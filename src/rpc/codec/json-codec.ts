import { utf8Text, writeUtf8 } from '../../util/buffer-text.ts';
import { FrameTooLargeError } from '../errors.ts';
import { UndecodableValue } from '../undecodable-value.ts';
import type { Codec, FrameDecoder, FrameEncoder } from './codec.ts';
import { writeJsonBody } from './json-body.ts';
import { readJsonBody } from './json-body-reader.ts';
import { canWriteJsonHeader, maxJsonHeaderBytes, readJsonHeader, writeJsonHeader } from './json-header.ts';

const NEWLINE = 0x0a;
const EXACT_SIZE_ABOVE_BYTES = 64 * 1024;
/** Room tried for a body written by hand; a larger body is left to JSON.stringify. */
const BODY_ROOM_BYTES = 1024;

/**
 * `application/json`: each value is one JSON text followed by a newline, as Go's json.Encoder
 * writes them. JSON escapes newlines inside strings, so a newline always ends a value. Go also
 * escapes <, > and & inside strings; they are written plain here, which decodes to the same text,
 * because scanning every value for them cost 5–11 % more CPU per JSON call.
 */
const jsonEncoder: FrameEncoder = {
  encode(value, out) {
    const at = out.length;
    const room = out.reserve(BODY_ROOM_BYTES + 1);
    const written = writeJsonBody(room, at, at + BODY_ROOM_BYTES, value);
    if (written !== -1) {
      room[written] = NEWLINE;
      out.commit(written + 1);
      return;
    }
    const text = JSON.stringify(value) ?? 'null';
    // UTF-8 takes at most 3 bytes per UTF-16 unit; measure exactly only when that bound is large.
    const maxBytes = text.length * 3 + 1;
    const bytes = out.reserve(maxBytes <= EXACT_SIZE_ABOVE_BYTES ? maxBytes : Buffer.byteLength(text) + 1);
    const end = at + writeUtf8(bytes, text, at);
    bytes[end] = NEWLINE;
    out.commit(end + 1);
  },
  encodeHeader(header, out) {
    if (!canWriteJsonHeader(header)) {
      this.encode(header, out);
      return;
    }
    const bytes = out.reserve(maxJsonHeaderBytes(header) + 1);
    const end = writeJsonHeader(bytes, out.length, header);
    bytes[end] = NEWLINE;
    out.commit(end + 1);
  },
};

export const jsonCodec: Codec = {
  name: 'application/json',
  createEncoder: () => jsonEncoder,
  createDecoder(maxFrameBytes) {
    return new JsonLineDecoder(maxFrameBytes);
  },
};

/** The first room for a cut line; it doubles as the line grows, up to maxFrameBytes. */
const MIN_PARTIAL_BYTES = 256;

/**
 * Parses lines where they lie in the chunk that brought them. Only a line cut by a chunk
 * boundary is copied aside, into one buffer that doubles as it fills: a line sent a byte per
 * segment holds at most about twice its bytes, not a Buffer per piece.
 */
class JsonLineDecoder implements FrameDecoder {
  readonly #maxFrameBytes: number;
  /** The start of a line whose newline has not arrived yet, in `#partial[0, #partialBytes)`. */
  #partial: Buffer | undefined;
  #partialBytes = 0;

  constructor(maxFrameBytes: number) {
    this.#maxFrameBytes = maxFrameBytes;
  }

  get midFrame(): boolean {
    return this.#partialBytes > 0;
  }

  get heldBytes(): number {
    return this.#partial?.length ?? 0;
  }

  push(chunk: Buffer, onValue: (value: unknown) => void): void {
    let offset = 0;
    if (this.#partialBytes > 0) {
      const newline = chunk.indexOf(NEWLINE);
      const lineBytes = this.#partialBytes + (newline === -1 ? chunk.length : newline);
      if (lineBytes > this.#maxFrameBytes) throw new FrameTooLargeError(lineBytes, this.#maxFrameBytes);
      if (newline === -1) {
        this.#keep(chunk, 0, chunk.length);
        return;
      }
      this.#keep(chunk, 0, newline);
      const partial = this.#partial!;
      this.#partial = undefined;
      this.#partialBytes = 0;
      emit(partial, 0, lineBytes, onValue);
      offset = newline + 1;
    }
    while (offset < chunk.length) {
      const newline = chunk.indexOf(NEWLINE, offset);
      const lineBytes = (newline === -1 ? chunk.length : newline) - offset;
      if (lineBytes > this.#maxFrameBytes) throw new FrameTooLargeError(lineBytes, this.#maxFrameBytes);
      if (newline === -1) {
        this.#keep(chunk, offset, chunk.length);
        return;
      }
      emit(chunk, offset, newline, onValue);
      offset = newline + 1;
    }
  }

  /** Copies `chunk[from, to)` after the kept bytes; the caller has checked the line's limit. */
  #keep(chunk: Buffer, from: number, to: number): void {
    const needed = this.#partialBytes + to - from;
    let partial = this.#partial;
    if (partial === undefined || partial.length < needed) {
      const doubled = Math.max(MIN_PARTIAL_BYTES, 2 * (partial?.length ?? 0));
      const grown = Buffer.allocUnsafe(Math.max(needed, Math.min(doubled, this.#maxFrameBytes)));
      if (partial !== undefined) partial.copy(grown, 0, 0, this.#partialBytes);
      this.#partial = partial = grown;
    }
    chunk.copy(partial, this.#partialBytes, from, to);
    this.#partialBytes = needed;
  }
}

/** Blank lines carry no value: a peer may end a value with CRLF or extra whitespace. */
function emit(source: Buffer, start: number, end: number, onValue: (value: unknown) => void): void {
  const header = readJsonHeader(source, start, end);
  if (header !== undefined) {
    onValue(header);
    return;
  }
  const body = readJsonBody(source, start, end);
  if (body !== undefined) {
    onValue(body);
    return;
  }
  const text = utf8Text(source, start, end).trim();
  if (text.length > 0) onValue(parse(text));
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    return new UndecodableValue(`invalid JSON: ${(error as Error).message}`);
  }
}
