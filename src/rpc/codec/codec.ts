import type { GobBudget } from '../gob/budget.ts';
import type { Header } from '../header.ts';
import type { OutputBuffer } from '../output-buffer.ts';

export type CodecName = 'application/json' | 'application/msgpack' | 'application/gob';

export const CODEC_NAMES: readonly CodecName[] = [
  'application/json',
  'application/msgpack',
  'application/gob',
];

/** The short names that scenarios and command lines use, each for one codec. */
export const CODEC_SHORT_NAMES = {
  json: 'application/json',
  msgpack: 'application/msgpack',
  gob: 'application/gob',
} as const satisfies Record<string, CodecName>;
export type CodecShortName = keyof typeof CODEC_SHORT_NAMES;
export const CODEC_SHORT_NAME_LIST = Object.keys(CODEC_SHORT_NAMES) as CodecShortName[];
/** What options take for a codec: its short name (`gob`) or its full name (`application/gob`). */
export type CodecChoice = CodecName | CodecShortName;
/** msgpack is the fast default; gob is what an unmodified Go GeeRPC peer speaks. */
export const DEFAULT_CODEC: CodecName = 'application/msgpack';
export const DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024;

/**
 * A codec frames values on a byte stream. Header and body are two values in a row,
 * so one framing serves both, and a body that cannot be decoded does not desynchronise
 * the stream. Each connection takes its own encoder and decoder: a stateful codec (gob sends
 * each type's definition once per stream) keeps its state there.
 */
export interface Codec {
  readonly name: CodecName;
  createEncoder(): FrameEncoder;
  /** `gobBudget` bounds what one gob message and one stream may make; other codecs have no use for it. */
  createDecoder(maxFrameBytes: number, gobBudget?: GobBudget): FrameDecoder;
}

export interface FrameEncoder {
  /** Appends the framed bytes of one value to `out`; appends nothing when it throws. */
  encode(value: unknown, out: OutputBuffer): void;
  /** As encode(), for the header that starts every message: codecs may have a faster way. */
  encodeHeader(header: Header, out: OutputBuffer): void;
}

export interface FrameDecoder {
  /**
   * Feeds bytes and hands every complete value to `onValue`; a frame whose bytes are there
   * but do not decode arrives as an UndecodableValue. Throws FrameTooLargeError when a frame
   * exceeds the limit: the stream cannot be trusted past that point.
   */
  push(chunk: Buffer, onValue: (value: unknown) => void): void;
  /** Whether bytes of a frame not yet complete are held: the server times how long one takes. */
  readonly midFrame: boolean;
  /**
   * The bytes of buffer held for a frame that has not fully arrived (0 when none): a small
   * multiple of what arrived, never the frame's declared length up front.
   */
  readonly heldBytes?: number;
  /**
   * Elements (struct fields, array elements, map entries) the last value handed on made, for
   * codecs whose values can be much larger than their bytes (gob fills in zero values).
   */
  readonly lastValueElements?: number;
}

export function isCodecName(name: string): name is CodecName {
  return (CODEC_NAMES as readonly string[]).includes(name);
}

/** The short name of a codec (`gob` for `application/gob`). */
export function shortCodecName(name: CodecName): CodecShortName {
  return CODEC_SHORT_NAME_LIST.find((short) => CODEC_SHORT_NAMES[short] === name)!;
}

/** A codec by its short name (`json`) or full name (`application/json`); undefined if neither. */
export function codecNamed(name: string): CodecName | undefined {
  if (Object.hasOwn(CODEC_SHORT_NAMES, name)) return CODEC_SHORT_NAMES[name as CodecShortName];
  return isCodecName(name) ? name : undefined;
}
