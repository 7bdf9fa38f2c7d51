import { msToNs, nsToMs } from '../util/units.ts';
import { CODEC_NAMES, type CodecName, isCodecName } from './codec/codec.ts';
import { ProtocolError } from './errors.ts';

/** GeeRPC's magic number, 0x3bef5c: the first field of every connection's handshake. */
export const MAGIC_NUMBER = 0x3bef5c;
/** A Go peer's option JSON is about 100 bytes; anything near this is not a handshake. */
export const MAX_HANDSHAKE_BYTES = 4096;
/**
 * What Go's json.Decoder takes in its first read (encoding/json's minRead). GeeRPC's Go server
 * decodes the option through a json.Decoder and then hands the raw connection to its codec, so
 * whatever that first read took beyond the option is lost. A handshake of exactly this many bytes,
 * ending with its closing brace, is all that read can take: the frames sent in the same write stay
 * in the socket for the codec. Nothing is waited for, so a fresh connection costs no round trip.
 */
export const HANDSHAKE_BYTES = 512;

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
  const json = JSON.stringify(option);
  // Padded with blanks inside the object, and no newline after it: a newline would be the first
  // byte of the Go server's codec stream (gob would read it as a message length).
  if (json.length > HANDSHAKE_BYTES) return Buffer.from(`${json}\n`);
  return Buffer.from(`${json.slice(0, -1)}${' '.repeat(HANDSHAKE_BYTES - json.length)}}`, 'latin1');
}

/**
 * Finds the end of the handshake: exactly one JSON object, plus the blanks and the newline a
 * json.Encoder writes after it as far as they have arrived. Returns the offset of the first byte
 * that belongs to the codec, or -1 while the object is still incomplete. A handshake that does not
 * end with its newline (see `endsWithNewline`) may still see it arrive: the server drops a newline
 * that is the very first byte of the codec stream.
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

/** Past the blanks and the newline after the object, when they are there; never past a frame byte. */
function skipTrailingLine(buffer: Buffer, start: number): number {
  for (let index = start; index < buffer.length; index++) {
    const byte = buffer[index]!;
    if (byte === 0x0a) return index + 1;
    if (byte !== 0x20 && byte !== 0x09 && byte !== 0x0d) return start;
  }
  return buffer.length;
}

/** Whether the handshake `findHandshakeEnd` delimited took its newline with it. */
export function endsWithNewline(buffer: Buffer, end: number): boolean {
  return end > 0 && buffer[end - 1] === 0x0a;
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
