import { InvalidArgumentError } from '../../util/errors.ts';
import { FrameTooLargeError } from '../errors.ts';
import type { GobBudget } from '../gob/budget.ts';
import { compileGobType, GobDecoder, GobEncoder, GobFrameTooLargeError, gob } from '../gob/index.ts';
import { putUint } from '../gob/primitives.ts';
import type { Header } from '../header.ts';
import type { OutputBuffer } from '../output-buffer.ts';
import type { Codec, FrameDecoder, FrameEncoder } from './codec.ts';

/** GeeRPC's `codec.Header`, field for field: Seq is a uint64. */
const HEADER_TYPE = compileGobType(
  gob.struct('Header', { ServiceMethod: gob.string, Seq: gob.uint64, Error: gob.string }),
);

/** Strings up to this many UTF-16 units take at most 126 UTF-8 bytes: a one-byte count. */
const SHORT_STRING_UNITS = 42;
const MAX_DEFINED_HEADER_BYTES = 1 + 9 + 2 * (2 + 3 * SHORT_STRING_UNITS) + 1 + 9 + 1;
const MAX_ONE_BYTE_COUNT = 0x7f;

/**
 * Writes a header message once its type is defined on the stream, byte for byte as the encoder
 * would, without walking its plan: it goes with every call. Returns false, having committed
 * nothing, for a header it leaves to the encoder (long strings, an unusual Seq).
 */
function writeDefinedHeader(out: OutputBuffer, id: number, header: Header): boolean {
  const { ServiceMethod: method, Seq: seq, Error: error } = header;
  if (method.length > SHORT_STRING_UNITS || error.length > SHORT_STRING_UNITS) return false;
  if (!Number.isSafeInteger(seq) || seq < 0) return false;
  const at = out.length;
  const bytes = out.reserve(MAX_DEFINED_HEADER_BYTES);
  // The type id is a signed integer; the fields follow as deltas from the last field sent.
  let end = putUint(bytes, at + 1, id * 2);
  let last = -1;
  if (method !== '') {
    bytes[end++] = 0 - last;
    end = putShortString(bytes, end, method);
    last = 0;
  }
  if (seq !== 0) {
    bytes[end++] = 1 - last;
    end = putUint(bytes, end, seq);
    last = 1;
  }
  if (error !== '') {
    bytes[end++] = 2 - last;
    end = putShortString(bytes, end, error);
  }
  bytes[end++] = 0;
  const length = end - at - 1;
  if (length > MAX_ONE_BYTE_COUNT) return false;
  bytes[at] = length;
  out.commit(end);
  return true;
}

function putShortString(bytes: Buffer, at: number, text: string): number {
  const written = bytes.write(text, at + 1, 'utf8');
  bytes[at] = written;
  return at + 1 + written;
}

/**
 * `application/gob`, the only codec an unmodified Go GeeRPC speaks: Go's encoding/gob, one
 * stream per connection and direction, each type's definition sent once before its first value.
 * A header and its body are one unit for the stream's type definitions: a body that cannot be
 * encoded leaves the stream as it was before the header.
 * Bodies are encoded as the Go type their value infers (see `inferGobType`), or as the type given
 * with `gob.typed(type, value)`.
 */
export const gobCodec: Codec = {
  name: 'application/gob',
  createEncoder(): FrameEncoder {
    const encoder = new GobEncoder();
    // A type keeps its id for the life of the stream: look it up until it has one, then never again.
    let headerId: number | undefined;
    // The encoder's state before the header in progress: a body that fails undoes what its header
    // defined, since the frame writer drops both (see GobEncoder.mark()).
    let beforeHeader = 0;
    return {
      encode(value, out) {
        try {
          encoder.encodeInto(value, undefined, out);
        } catch (error) {
          encoder.rollback(beforeHeader);
          if (headerId !== undefined && headerId > beforeHeader) headerId = undefined;
          throw error;
        }
      },
      encodeHeader(header, out) {
        beforeHeader = encoder.mark();
        headerId ??= encoder.definedId(HEADER_TYPE);
        if (headerId === undefined || !writeDefinedHeader(out, headerId, header))
          encoder.encodeInto(header, HEADER_TYPE, out);
      },
    };
  },
  createDecoder(maxFrameBytes, gobBudget): FrameDecoder {
    const decoder = new GobDecoder({ ...gobBudget, maxMessageBytes: maxFrameBytes });
    // Headers and bodies alternate; only bodies may be sent back, so only they keep their Go types.
    let nextIsHeader = true;
    decoder.keepGoTypes = false;
    let deliver: (value: unknown) => void = () => {};
    const onEach = (value: unknown): void => {
      nextIsHeader = !nextIsHeader;
      decoder.keepGoTypes = !nextIsHeader;
      deliver(value);
    };
    return {
      get midFrame() {
        return decoder.midMessage;
      },
      get lastValueElements() {
        return decoder.lastValueElements;
      },
      push(chunk, onValue) {
        deliver = onValue;
        try {
          decoder.push(chunk, onEach);
        } catch (error) {
          // One code for an oversized frame, whatever the codec: it is what callers match and retry on.
          if (error instanceof GobFrameTooLargeError) {
            throw new FrameTooLargeError(error.declaredBytes, error.maxMessageBytes);
          }
          throw error;
        }
      },
    };
  },
};

/** Throws InvalidArgumentError, naming `name`, unless every limit of `budget` is a positive integer. */
export function checkGobBudget(budget: GobBudget, name: string): void {
  try {
    new GobDecoder(budget);
  } catch (error) {
    throw new InvalidArgumentError(`${name}.${(error as Error).message.replace(/^gob: /, '')}`);
  }
}
