import { FrameTooLargeError } from '../errors.ts';
import { compileGobType, GobDecoder, GobEncoder, GobFrameTooLargeError, gob } from '../gob/index.ts';
import type { Codec, FrameDecoder, FrameEncoder } from './codec.ts';

/** GeeRPC's `codec.Header`, field for field: Seq is a uint64. */
const HEADER_TYPE = compileGobType(
  gob.struct('Header', { ServiceMethod: gob.string, Seq: gob.uint64, Error: gob.string }),
);

/**
 * `application/gob`, the only codec an unmodified Go GeeRPC speaks: Go's encoding/gob, one
 * stream per connection and direction, each type's definition sent once before its first value.
 * Bodies are encoded as the Go type their value infers (see `inferGobType`), or as the type given
 * with `gob.typed(type, value)`.
 */
export const gobCodec: Codec = {
  name: 'application/gob',
  createEncoder(): FrameEncoder {
    const encoder = new GobEncoder();
    return {
      encode: (value, out) => encoder.encodeInto(value, undefined, out),
      encodeHeader: (header, out) => encoder.encodeInto(header, HEADER_TYPE, out),
    };
  },
  createDecoder(maxFrameBytes): FrameDecoder {
    const decoder = new GobDecoder({ maxMessageBytes: maxFrameBytes });
    return {
      push(chunk, onValue) {
        try {
          decoder.push(chunk, onValue);
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
