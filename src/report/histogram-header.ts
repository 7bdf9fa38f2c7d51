import { inflateSync } from 'node:zlib';

/**
 * The bounds an encoded histogram's V2 header must keep before hdr-histogram-js is let near it.
 * The library sizes its counts array from the header and the report walks that array once per
 * point of the curve, so a 56-character histogram claiming a range of 1 to 2^62 at five
 * significant digits would allocate millions of buckets and keep `npm run report` busy for
 * minutes. Every histogram this project writes is far inside these bounds (1 µs to 60 s at three
 * digits, grown when a call takes longer).
 */

/** 2^40 µs, some 12.7 days: far beyond any call of a run (durationMs is at most an hour). */
export const MAX_HIGHEST_TRACKABLE_VALUE = 2 ** 40;
/** What HdrHistogram supports; this project writes 3. */
export const SIGNIFICANT_DIGITS_RANGE = { min: 1, max: 5 } as const;
/** 2^21 buckets (16 MiB of counts): 5 digits over 1 µs to 60 s needs 1.3 M, 3 digits over 2^40 needs 32 K. */
export const MAX_COUNTS_ARRAY_LENGTH = 2 ** 21;

const V2_COMPRESSED_COOKIE_BASE = 0x1c849304;
const V2_COOKIE_BASE = 0x1c849303;
const V2_HEADER_BYTES = 40;
/** A count is a ZigZag LEB128 of at most 9 bytes, so no valid payload is longer than this. */
const MAX_INFLATED_BYTES = V2_HEADER_BYTES + MAX_COUNTS_ARRAY_LENGTH * 9;

/** The fields of a V2 header that size a histogram. */
export interface HistogramHeader {
  numberOfSignificantValueDigits: number;
  lowestTrackableUnitValue: number;
  highestTrackableValue: number;
  payloadLengthInBytes: number;
  /** Buckets the library would allocate for this range and precision. */
  countsArrayLength: number;
}

/** Why a histogram is refused: the header field at fault and the rule it breaks. */
export class HistogramBoundsError extends Error {
  readonly field: string;

  constructor(field: string, reason: string) {
    super(`${field} ${reason}`);
    this.name = 'HistogramBoundsError';
    this.field = field;
  }
}

/**
 * Reads the header of a compressed-base64 V2 histogram (inflating at most what a histogram within
 * the bounds can need) and checks its range, precision and payload. Throws HistogramBoundsError
 * naming the header field; does not decode the counts.
 */
export function checkEncodedHistogramHeader(encoded: string): HistogramHeader {
  const inflated = inflateContents(encoded);
  if (inflated.length < V2_HEADER_BYTES) throw new HistogramBoundsError('header', 'is truncated');
  if ((inflated.readInt32BE(0) & ~0xf0) !== V2_COOKIE_BASE) {
    throw new HistogramBoundsError('cookie', 'of the inflated contents is not a V2 histogram cookie');
  }
  const numberOfSignificantValueDigits = inflated.readInt32BE(12);
  const lowestTrackableUnitValue = readInt64(inflated, 16);
  const highestTrackableValue = readInt64(inflated, 24);
  checkRange(numberOfSignificantValueDigits, lowestTrackableUnitValue, highestTrackableValue);
  const countsArrayLength = countsArrayLengthFor(
    lowestTrackableUnitValue,
    highestTrackableValue,
    numberOfSignificantValueDigits,
  );
  if (countsArrayLength > MAX_COUNTS_ARRAY_LENGTH) {
    throw new HistogramBoundsError(
      'counts array',
      `would hold ${countsArrayLength} buckets, more than ${MAX_COUNTS_ARRAY_LENGTH}`,
    );
  }
  const payloadLengthInBytes = inflated.readInt32BE(4);
  if (payloadLengthInBytes < 0 || payloadLengthInBytes > inflated.length - V2_HEADER_BYTES) {
    throw new HistogramBoundsError(
      'payloadLengthInBytes',
      `(${payloadLengthInBytes}) exceeds the ${inflated.length - V2_HEADER_BYTES} bytes after the header`,
    );
  }
  return {
    numberOfSignificantValueDigits,
    lowestTrackableUnitValue,
    highestTrackableValue,
    payloadLengthInBytes,
    countsArrayLength,
  };
}

/** The inflated contents behind the outer cookie and length, never more than MAX_INFLATED_BYTES. */
function inflateContents(encoded: string): Buffer {
  const data = Buffer.from(encoded.trim(), 'base64');
  if (data.length < 8) throw new HistogramBoundsError('cookie', 'is missing: too short for a histogram');
  const cookie = data.readInt32BE(0);
  if ((cookie & ~0xf0) !== V2_COMPRESSED_COOKIE_BASE) {
    throw new HistogramBoundsError('cookie', 'is not a V2 compressed histogram cookie');
  }
  const compressedLength = data.readInt32BE(4);
  if (compressedLength < 0 || compressedLength > data.length - 8) {
    throw new HistogramBoundsError('lengthOfCompressedContents', `(${compressedLength}) exceeds the data`);
  }
  try {
    return inflateSync(data.subarray(8, 8 + compressedLength), { maxOutputLength: MAX_INFLATED_BYTES });
  } catch (error) {
    const tooLarge = (error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE';
    throw new HistogramBoundsError(
      'compressed contents',
      tooLarge ? `inflate beyond ${MAX_INFLATED_BYTES} bytes` : 'do not inflate',
    );
  }
}

/** Precision first, then the top of the range, then its unit: the first field out of bounds is named. */
function checkRange(digits: number, lowest: number, highest: number): void {
  const { min, max } = SIGNIFICANT_DIGITS_RANGE;
  if (!Number.isInteger(digits) || digits < min || digits > max) {
    throw new HistogramBoundsError(
      'numberOfSignificantValueDigits',
      `(${digits}) must be from ${min} to ${max}`,
    );
  }
  if (!Number.isSafeInteger(highest) || highest > MAX_HIGHEST_TRACKABLE_VALUE) {
    throw new HistogramBoundsError(
      'highestTrackableValue',
      `(${highest}) must be at most 2^40 (${MAX_HIGHEST_TRACKABLE_VALUE})`,
    );
  }
  if (!Number.isSafeInteger(lowest) || lowest < 1 || lowest * 2 > highest) {
    throw new HistogramBoundsError(
      'lowestTrackableUnitValue',
      `(${lowest}) must be at least 1 and at most half of highestTrackableValue (${highest})`,
    );
  }
}

/** As hdr-histogram-js reads an int64: high word signed, low word as the library reads it. */
function readInt64(buffer: Buffer, offset: number): number {
  return buffer.readInt32BE(offset) * 2 ** 32 + buffer.readUInt32BE(offset + 4);
}

/** HdrHistogram's bucket arithmetic: how many counts a histogram of this range and precision holds. */
export function countsArrayLengthFor(lowest: number, highest: number, digits: number): number {
  const largestValueWithSingleUnitResolution = 2 * 10 ** digits;
  const subBucketCountMagnitude = Math.ceil(Math.log2(largestValueWithSingleUnitResolution));
  const subBucketHalfCountMagnitude = Math.max(subBucketCountMagnitude, 1) - 1;
  const subBucketCount = 2 ** (subBucketHalfCountMagnitude + 1);
  const subBucketHalfCount = subBucketCount / 2;
  const unitMagnitude = Math.floor(Math.log2(lowest));
  let smallestUntrackableValue = subBucketCount * 2 ** unitMagnitude;
  let bucketsNeeded = 1;
  while (smallestUntrackableValue <= highest) {
    smallestUntrackableValue *= 2;
    bucketsNeeded++;
  }
  return (bucketsNeeded + 1) * subBucketHalfCount;
}
