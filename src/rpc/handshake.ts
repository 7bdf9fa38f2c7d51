import { msToNs, nsToMs } from '../util/units.ts';
import { CODEC_NAMES, type CodecName, isCodecName } from './codec/codec.ts';
import { ProtocolError } from './errors.ts';

/** GeeRPC's magic number, 0x3bef5c: the first field of every connection's handshake. */
export const MAGIC_NUMBER = 0x3bef5c;
/** A Go peer's option JSON is about 100 bytes; anything near this is not a handshake. */
export const MAX_HANDSHAKE_BYTES = 4096;

/** The option object as it travels, field for field GeeRPC's `Option` (durations in nanoseconds). */
export interface WireOption {
  MagicNumber: number;
  CodecType: string;
  ConnectTimeout: number;
  HandleTimeout: number;
}

export interface Handshake {
  codec: CodecName;
  connectTimeoutMs: number;
  /** 0: the server never times a handler out. */
  handleTimeoutMs: number;
}

export function encodeHandshake(handshake: Handshake): Buffer {
  const option: WireOption = {
    MagicNumber: MAGIC_NUMBER,
    CodecType: handshake.codec,
    ConnectTimeout: msToNs(handshake.connectTimeoutMs),
    HandleTimeout: msToNs(handshake.handleTimeoutMs),
  };
  // Go's json.Encoder ends every value with a newline; so do we.
  return Buffer.from(`${JSON.stringify(option)}\n`);
}

/**
 * Finds the end of the handshake: exactly one JSON object, plus the whitespace up to and
 * including the newline a json.Encoder writes after it. Returns the offset of the first byte
 * that belongs to the codec, or -1 while the object is still incomplete.
 * Scanning rather than parsing line by line means bytes the client sent right after the
 * handshake are never lost.
 */
export function findHandshakeEnd(buffer: Buffer): number {
  let index = 0;
  while (index < buffer.length && isJsonWhitespace(buffer[index]!)) index++;
  if (index === buffer.length) return -1;
  if (buffer[index] !== 0x7b /* { */) {
    throw new ProtocolError('ERR_BAD_HANDSHAKE', 'rpc server: handshake is not a JSON object');
  }
  let depth = 0;
  let inString = false;
  for (; index < buffer.length; index++) {
    const byte = buffer[index]!;
    if (inString) {
      if (byte === 0x5c /* \ */) index++;
      else if (byte === 0x22 /* " */) inString = false;
    } else if (byte === 0x22) {
      inString = true;
    } else if (byte === 0x7b || byte === 0x5b) {
      depth++;
    } else if (byte === 0x7d || byte === 0x5d) {
      depth--;
      if (depth === 0) return skipTrailingLine(buffer, index + 1);
    }
  }
  return -1;
}

/**
 * Returns -1 while only blanks follow the object: the newline may still be on its way, and
 * handing a late newline to a length-prefixed codec would desynchronise the stream.
 */
function skipTrailingLine(buffer: Buffer, start: number): number {
  for (let index = start; index < buffer.length; index++) {
    const byte = buffer[index]!;
    if (byte === 0x0a) return index + 1;
    if (byte !== 0x20 && byte !== 0x09 && byte !== 0x0d) return start;
  }
  return -1;
}

function isJsonWhitespace(byte: number): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

/** Validates the option object, in GeeRPC's wording where it has one. */
export function parseHandshake(bytes: Buffer, codecs: readonly CodecName[] = CODEC_NAMES): Handshake {
  let option: unknown;
  try {
    option = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new ProtocolError('ERR_BAD_HANDSHAKE', `rpc server: options error: ${(error as Error).message}`);
  }
  if (option === null || typeof option !== 'object' || Array.isArray(option)) {
    throw new ProtocolError('ERR_BAD_HANDSHAKE', 'rpc server: options error: not a JSON object');
  }
  const { MagicNumber, CodecType, ConnectTimeout, HandleTimeout } = option as Partial<WireOption>;
  if (MagicNumber !== MAGIC_NUMBER) {
    const shown = typeof MagicNumber === 'number' ? MagicNumber.toString(16) : JSON.stringify(MagicNumber);
    throw new ProtocolError('ERR_BAD_MAGIC', `rpc server: invalid magic number ${shown}`);
  }
  if (typeof CodecType !== 'string' || !isCodecName(CodecType) || !codecs.includes(CodecType)) {
    throw new ProtocolError('ERR_UNKNOWN_CODEC', `rpc server: invalid codec type ${String(CodecType)}`);
  }
  return {
    codec: CodecType,
    connectTimeoutMs: durationMs(ConnectTimeout, 'ConnectTimeout'),
    handleTimeoutMs: durationMs(HandleTimeout, 'HandleTimeout'),
  };
}

function durationMs(value: unknown, field: string): number {
  if (value === undefined || value === null) return 0;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new ProtocolError(
      'ERR_BAD_HANDSHAKE',
      `rpc server: options error: ${field} must be a non-negative number of nanoseconds`,
    );
  }
  return nsToMs(value);
}
