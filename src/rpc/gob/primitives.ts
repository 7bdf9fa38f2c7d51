import type { OutputBuffer } from '../output-buffer.ts';

/**
 * gob's scalar encodings: unsigned integers (one byte below 128, else a negated byte count and
 * the big-endian bytes), signed integers folded into unsigned ones (bit 0 says "complement"),
 * floats as byte-reversed IEEE-754 bits, and strings/bytes as a count then the bytes.
 */

const TWO_POW_52 = 2 ** 52;
const TWO_POW_32 = 2 ** 32;
export const UINT64_MAX = (1n << 64n) - 1n;
export const INT64_MIN = -(1n << 63n);
export const INT64_MAX = (1n << 63n) - 1n;

/**
 * A byte that cannot be read, or a count that runs past the message: the reason is for people.
 * `path` (`.Items[3]`) is built up as the failure unwinds through structs and slices.
 */
export class DecodeFailure extends Error {
  path = '';
}

/** A message would make more elements than its bytes allow: the decoder turns it into GobBudgetError. */
export class ElementBudgetSpent extends DecodeFailure {
  constructor(readonly count: number) {
    super(`${count} more elements exceed the message's element budget`);
  }
}

/** ASCII strings up to this long have a one-byte count and are written without Buffer.write. */
const SHORT_ASCII_UNITS = 0x7f;
/** Strings up to this many UTF-16 units take at most 126 UTF-8 bytes: a one-byte count. */
const ONE_BYTE_COUNT_UNITS = 42;
/** Room reserved up front for a message, so that small ones never stop to grow the buffer. */
const MESSAGE_ROOM_BYTES = 256;
const NO_BYTES = Buffer.alloc(0);

/**
 * Writes gob messages straight into an OutputBuffer, after what it already holds: no scratch
 * buffer, no copy. What is written is the buffer's only once commit() is called, so a message
 * that fails half-way is dropped by truncating the buffer back to where it started.
 */
export class GobWriter {
  #out: OutputBuffer | undefined;
  #bytes: Buffer = NO_BYTES;
  #length = 0;

  /** Without `out`, nothing can be written before target() says where. */
  constructor(out?: OutputBuffer) {
    if (out !== undefined) this.target(out);
  }

  /** Writes from now on go to `out`, after what it holds. */
  target(out: OutputBuffer): void {
    this.#out = out;
    this.#length = out.length;
    this.#bytes = out.reserve(MESSAGE_ROOM_BYTES);
  }

  /** The offset the next byte goes to, in the target's buffer. */
  get length(): number {
    return this.#length;
  }

  /** The bytes written from `start` to `end`, as a view: valid until the next write. */
  view(start: number, end: number): Buffer {
    return this.#bytes.subarray(start, end);
  }

  /** Makes everything written so far part of the target buffer. */
  commit(): void {
    this.#out!.commit(this.#length);
  }

  /** Forgets what was written after `length` (not yet committed). */
  truncate(length: number): void {
    this.#length = length;
  }

  /**
   * Starts a message: one byte is left for its byte count, which endMessage() fills in (most
   * messages are under 128 bytes, so their bytes never move). Returns where the message starts.
   */
  beginMessage(): number {
    const at = this.#length;
    this.#ensure(1);
    this.#length = at + 1;
    return at;
  }

  /** Puts the byte count in front of the message begun at `at`, moving it if the count needs more than one byte. */
  endMessage(at: number): void {
    const length = this.#length - at - 1;
    if (length <= 0x7f) {
      this.#bytes[at] = length;
      return;
    }
    const extra = uintByteLength(length) - 1;
    const bytes = this.#ensure(extra);
    bytes.copyWithin(at + 1 + extra, at + 1, this.#length);
    putUint(bytes, at, length);
    this.#length += extra;
  }

  #ensure(more: number): Buffer {
    if (this.#length + more > this.#bytes.length) {
      // The target copies only what it holds when it grows: hand it the bytes written so far.
      this.#out!.commit(this.#length);
      this.#bytes = this.#out!.reserve(more);
    }
    return this.#bytes;
  }

  writeByte(byte: number): void {
    const bytes = this.#ensure(1);
    bytes[this.#length++] = byte;
  }

  /** `value` must be a safe non-negative integer. */
  writeUint(value: number): void {
    if (value <= 0x7f) {
      this.writeByte(value);
      return;
    }
    let count = 1;
    for (let rest = Math.floor(value / 256); rest > 0; rest = Math.floor(rest / 256)) count++;
    const bytes = this.#ensure(count + 1);
    const at = this.#length;
    bytes[at] = 256 - count;
    let rest = value;
    for (let i = count; i >= 1; i--) {
      bytes[at + i] = rest % 256;
      rest = Math.floor(rest / 256);
    }
    this.#length = at + count + 1;
  }

  /** `value` must be within 0 .. 2^64-1. */
  writeBigUint(value: bigint): void {
    if (value <= BigInt(Number.MAX_SAFE_INTEGER)) {
      this.writeUint(Number(value));
      return;
    }
    const bytes = this.#ensure(9);
    const at = this.#length;
    bytes.writeBigUInt64BE(value, at + 1);
    this.#writeTrimmed(bytes, at);
  }

  /** `value` must be a safe integer. */
  writeInt(value: number): void {
    // Below 2^52 the folded value stays a safe integer; beyond, bigint arithmetic is exact.
    if (value >= 0) {
      if (value < TWO_POW_52) this.writeUint(value * 2);
      else this.writeBigUint(BigInt(value) << 1n);
    } else if (value > -TWO_POW_52) {
      this.writeUint(-value * 2 - 1);
    } else {
      this.writeBigUint(((-BigInt(value) - 1n) << 1n) | 1n);
    }
  }

  /** `value` must be within int64. */
  writeBigInt(value: bigint): void {
    this.writeBigUint(value < 0n ? ((-value - 1n) << 1n) | 1n : value << 1n);
  }

  /**
   * The float64 bits, byte-reversed, as an unsigned integer: the reversed value's big-endian
   * bytes are the float's little-endian bytes, so write those and drop the leading zeros.
   */
  writeFloat(value: number): void {
    const bytes = this.#ensure(9);
    const at = this.#length;
    bytes.writeDoubleLE(value, at + 1);
    this.#writeTrimmed(bytes, at);
  }

  /** Turns the 8 big-endian bytes at `at + 1` into gob's minimal unsigned encoding at `at`. */
  #writeTrimmed(bytes: Buffer, at: number): void {
    let first = at + 1;
    while (first < at + 9 && bytes[first] === 0) first++;
    const count = at + 9 - first;
    if (count === 0) {
      bytes[at] = 0;
      this.#length = at + 1;
    } else if (count === 1 && bytes[first]! <= 0x7f) {
      bytes[at] = bytes[first]!;
      this.#length = at + 1;
    } else {
      bytes.copyWithin(at + 1, first, at + 9);
      bytes[at] = 256 - count;
      this.#length = at + 1 + count;
    }
  }

  writeBytes(value: Uint8Array): void {
    this.writeUint(value.length);
    this.#ensure(value.length).set(value, this.#length);
    this.#length += value.length;
  }

  writeString(value: string): void {
    // Short ASCII, the usual case (names, keys), is copied unit by unit: cheaper than Buffer.write.
    if (value.length <= SHORT_ASCII_UNITS) {
      const bytes = this.#ensure(1 + value.length * 3);
      const at = this.#length;
      let i = 0;
      for (; i < value.length; i++) {
        const unit = value.charCodeAt(i);
        if (unit >= 0x80) break;
        bytes[at + 1 + i] = unit;
      }
      if (i === value.length) {
        bytes[at] = i;
        this.#length = at + 1 + i;
        return;
      }
    }
    // A short string fits a one-byte count whatever its UTF-8 length: write it in one pass.
    if (value.length <= ONE_BYTE_COUNT_UNITS) {
      const bytes = this.#ensure(1 + value.length * 3);
      const at = this.#length;
      const written = bytes.write(value, at + 1, 'utf8');
      bytes[at] = written;
      this.#length = at + 1 + written;
      return;
    }
    const byteLength = Buffer.byteLength(value, 'utf8');
    this.writeUint(byteLength);
    const bytes = this.#ensure(byteLength);
    bytes.write(value, this.#length, byteLength, 'utf8');
    this.#length += byteLength;
  }
}

/** Reads gob scalars from one message: `[pos, end)` of `bytes`. Throws DecodeFailure past the end. */
export class GobReader {
  bytes: Buffer = Buffer.alloc(0);
  pos = 0;
  end = 0;
  /** Elements (struct fields, array and slice elements, map entries) the message may still make. */
  elementBudget = Number.POSITIVE_INFINITY;

  /** Takes `count` elements from the budget before they are made; throws ElementBudgetSpent past it. */
  spend(count: number): void {
    this.elementBudget -= count;
    if (this.elementBudget < 0) throw new ElementBudgetSpent(count);
  }

  reset(bytes: Buffer, start: number, end: number): void {
    this.bytes = bytes;
    this.pos = start;
    this.end = end;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  readByte(): number {
    if (this.pos >= this.end) throw new DecodeFailure('unexpected end of message');
    return this.bytes[this.pos++]!;
  }

  /** A number when it is a safe integer, else a bigint. */
  readUint(): number | bigint {
    const first = this.readByte();
    if (first <= 0x7f) return first;
    const count = 256 - first;
    if (count > 8) throw new DecodeFailure(`invalid unsigned integer: byte count ${count} exceeds 8`);
    if (count > this.end - this.pos) throw new DecodeFailure('unexpected end of message');
    const bytes = this.bytes;
    let at = this.pos;
    this.pos += count;
    if (count <= 4) {
      let value = 0;
      for (let i = 0; i < count; i++) value = value * 256 + bytes[at++]!;
      return value;
    }
    let high = 0;
    for (let i = 0; i < count - 4; i++) high = high * 256 + bytes[at++]!;
    const low = bytes.readUInt32BE(at);
    // high * 2^32 + low stays safe while high < 2^21.
    if (high < 0x200000) return high * TWO_POW_32 + low;
    return (BigInt(high) << 32n) | BigInt(low);
  }

  /** An unsigned count that must fit in what is left of the message, one byte per item at least. */
  readCount(what: string): number {
    const count = this.readUint();
    if (typeof count === 'bigint' || count > this.end - this.pos) {
      throw new DecodeFailure(`${what} count ${count} exceeds the ${this.end - this.pos} bytes left`);
    }
    return count;
  }

  readInt(): number | bigint {
    const folded = this.readUint();
    if (typeof folded === 'number') {
      // Exact: folded < 2^53, so halving and flooring lose nothing.
      const half = Math.floor(folded / 2);
      return folded % 2 === 1 ? -half - 1 : half;
    }
    const value = folded & 1n ? -(folded >> 1n) - 1n : folded >> 1n;
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(value)
      : value;
  }

  /** The unsigned integer's big-endian bytes are the float64's little-endian bytes. */
  readFloat(): number {
    const first = this.readByte();
    if (first <= 0x7f) {
      floatScratch.fill(0, 0, 7);
      floatScratch[7] = first;
      return floatScratch.readDoubleLE(0);
    }
    const count = 256 - first;
    if (count > 8) throw new DecodeFailure(`invalid float: byte count ${count} exceeds 8`);
    if (count > this.end - this.pos) throw new DecodeFailure('unexpected end of message');
    floatScratch.fill(0, 0, 8 - count);
    this.bytes.copy(floatScratch, 8 - count, this.pos, this.pos + count);
    this.pos += count;
    return floatScratch.readDoubleLE(0);
  }

  /** A copy: the message's bytes belong to a chunk the socket may reuse. */
  readBytes(): Buffer {
    const length = this.readCount('byte');
    const copy = Buffer.allocUnsafe(length);
    this.bytes.copy(copy, 0, this.pos, this.pos + length);
    this.pos += length;
    return copy;
  }

  readString(): string {
    const first = this.pos < this.end ? this.bytes[this.pos]! : 0x80;
    // A one-byte count within the message, the usual case, is read without readCount().
    const length = first <= 0x7f && first < this.end - this.pos ? first : this.readCount('string byte');
    if (first <= 0x7f) this.pos++;
    const start = this.pos;
    this.pos += length;
    if (length <= MAX_REMEMBERED_STRING_BYTES) return this.#shortString(start, length);
    return (this.bytes as Utf8Slicing).utf8Slice(start, start + length);
  }

  /**
   * The last short string read of each length, returned again when the same bytes come: a
   * connection sends the same method names and field values over and over, and comparing a few
   * bytes is cheaper than decoding them. Keeping one per length lets a header's method name and a
   * body's strings, which alternate, each find theirs.
   */
  readonly #rememberedBytes = Buffer.alloc((MAX_REMEMBERED_STRING_BYTES + 1) * MAX_REMEMBERED_STRING_BYTES);
  readonly #rememberedStrings: (string | undefined)[] = new Array(MAX_REMEMBERED_STRING_BYTES + 1);

  #shortString(start: number, length: number): string {
    if (length === 0) return '';
    const bytes = this.bytes;
    const remembered = this.#rememberedBytes;
    const slot = length * MAX_REMEMBERED_STRING_BYTES;
    const known = this.#rememberedStrings[length];
    if (known !== undefined) {
      let same = 0;
      while (same < length && bytes[start + same] === remembered[slot + same]) same++;
      if (same === length) return known;
    }
    const value = (bytes as Utf8Slicing).utf8Slice(start, start + length);
    for (let i = 0; i < length; i++) remembered[slot + i] = bytes[start + i]!;
    this.#rememberedStrings[length] = value;
    return value;
  }
}

/** Strings up to this long are remembered by GobReader. */
const MAX_REMEMBERED_STRING_BYTES = 32;

/**
 * Node's Buffer method behind `toString('utf8', start, end)`, without its argument handling:
 * reading strings is most of decoding. Start and end must lie within the buffer.
 */
type Utf8Slicing = Buffer & { utf8Slice(start: number, end: number): string };

const floatScratch = Buffer.alloc(8);

/** The bytes gob's unsigned encoding of `value` (a safe non-negative integer) takes. */
export function uintByteLength(value: number): number {
  if (value <= 0x7f) return 1;
  let count = 1;
  for (let rest = Math.floor(value / 256); rest > 0; rest = Math.floor(rest / 256)) count++;
  return count + 1;
}

/** Writes gob's unsigned encoding of `value` at `at`; returns the offset after it. */
export function putUint(bytes: Uint8Array, at: number, value: number): number {
  if (value <= 0x7f) {
    bytes[at] = value;
    return at + 1;
  }
  const end = at + uintByteLength(value);
  bytes[at] = 256 - (end - at - 1);
  let rest = value;
  for (let i = end - 1; i > at; i--) {
    bytes[i] = rest % 256;
    rest = Math.floor(rest / 256);
  }
  return end;
}
