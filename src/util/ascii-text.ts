import { latin1Text } from './buffer-text.ts';

/** Strings up to this many bytes are remembered; longer ones are decoded each time. */
export const MAX_REMEMBERED_BYTES = 32;

/** The text of `source[from, to)` when it is ASCII, else undefined. */
export function asciiText(source: Buffer, from: number, to: number): string | undefined {
  if (to - from <= MAX_REMEMBERED_BYTES) return rememberedAscii(source, from, to);
  return isAscii(source, from, to) ? latin1Text(source, from, to) : undefined;
}

/** One test of the bytes' high bits together, rather than a branch per byte. */
export function isAscii(source: Buffer, from: number, to: number): boolean {
  let bits = 0;
  let i = from;
  for (; i + 4 <= to; i += 4) bits |= source[i]! | source[i + 1]! | source[i + 2]! | source[i + 3]!;
  for (; i < to; i++) bits |= source[i]!;
  return bits < 0x80;
}

/**
 * Short strings repeat in every message (every key, and values such as names and states): each
 * slot remembers one string and its bytes, and a few byte comparisons replace decoding a copy.
 * The codecs' readers share it: one thread reads one message at a time.
 */
const SLOTS = 64;
const slotBytes = Buffer.alloc(SLOTS * MAX_REMEMBERED_BYTES);
const slotLengths = new Int32Array(SLOTS).fill(-1);
const slotStrings: string[] = new Array<string>(SLOTS).fill('');
const PROTO_KEY = '__proto__';

/** The ASCII text of `source[from, to)` (at most MAX_REMEMBERED_BYTES long), or undefined. */
export function rememberedAscii(source: Buffer, from: number, to: number): string | undefined {
  const length = to - from;
  if (length === 0) return '';
  const slot = (length * 7 + source[from]! * 3 + source[to - 1]!) & (SLOTS - 1);
  const at = slot * MAX_REMEMBERED_BYTES;
  // A slot only ever holds ASCII, so bytes equal to its own are ASCII too.
  if (slotLengths[slot] === length) {
    let same = 0;
    while (same < length && source[from + same] === slotBytes[at + same]) same++;
    if (same === length) return slotStrings[slot];
  }
  if (!isAscii(source, from, to)) return undefined;
  const text = latin1Text(source, from, to);
  // Never remembered: a reader that must refuse it as a key then need only check strings decoded afresh.
  if (text === PROTO_KEY) return text;
  source.copy(slotBytes, at, from, to);
  slotLengths[slot] = length;
  slotStrings[slot] = text;
  return text;
}
