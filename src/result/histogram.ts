import {
  build,
  decodeFromCompressedBase64,
  encodeIntoCompressedBase64,
  type Histogram,
  initWebAssemblySync,
} from 'hdr-histogram-js';
import type { HistogramRecord, LatencySummary } from './result-schema.ts';

/** One minute in microseconds: the initial range; the histogram grows should a call take longer. */
const INITIAL_HIGHEST_US = 60_000_000;
const SIGNIFICANT_DIGITS = 3;

export type { Histogram };

const LATENCY_HISTOGRAM = {
  lowestDiscernibleValue: 1,
  highestTrackableValue: INITIAL_HIGHEST_US,
  numberOfSignificantValueDigits: SIGNIFICANT_DIGITS,
  autoResize: true,
} as const;

/** A histogram of integer microseconds with three significant digits. */
export function createLatencyHistogram(): Histogram {
  return build(LATENCY_HISTOGRAM);
}

/**
 * The same histogram in WebAssembly memory, for the load threads' hot path, where recordValue
 * costs about a quarter of the JavaScript histogram's (some 20 ns against 80). That memory is
 * not garbage collected: whoever makes one must destroy() it.
 */
export function createRecordingHistogram(): Histogram {
  prepareRecordingHistograms();
  return build({ ...LATENCY_HISTOGRAM, useWebAssembly: true });
}

/** Compiles the WebAssembly module once per thread (some tens of ms): call it before timing starts. */
export function prepareRecordingHistograms(): void {
  // Does nothing once the module is compiled.
  initWebAssemblySync();
}

export function summarizeHistogram(histogram: Histogram): LatencySummary {
  const count = histogram.totalCount;
  if (count === 0) {
    return { count, minUs: 0, meanUs: 0, stdevUs: 0, p50Us: 0, p90Us: 0, p99Us: 0, p999Us: 0, maxUs: 0 };
  }
  return {
    count,
    minUs: histogram.minNonZeroValue,
    meanUs: histogram.mean,
    stdevUs: histogram.stdDeviation,
    p50Us: histogram.getValueAtPercentile(50),
    p90Us: histogram.getValueAtPercentile(90),
    p99Us: histogram.getValueAtPercentile(99),
    p999Us: histogram.getValueAtPercentile(99.9),
    maxUs: histogram.maxValue,
  };
}

/** The HdrHistogram V2 compressed base64 form: what crosses threads and goes into result files. */
export function encodeHistogram(histogram: Histogram): string {
  return encodeIntoCompressedBase64(histogram);
}

export function decodeHistogram(encoded: string): Histogram {
  return decodeFromCompressedBase64(encoded);
}

/** Adds every encoded histogram into a new one; an empty list gives an empty histogram. */
export function mergeEncoded(encoded: Iterable<string>): Histogram {
  const merged = createLatencyHistogram();
  for (const item of encoded) {
    const part = decodeHistogram(item);
    merged.add(part);
    part.destroy();
  }
  return merged;
}

/** Summary and encoded form, as the result file holds a histogram. */
export function toHistogramRecord(histogram: Histogram): HistogramRecord {
  return { summary: summarizeHistogram(histogram), encoded: encodeHistogram(histogram) };
}
