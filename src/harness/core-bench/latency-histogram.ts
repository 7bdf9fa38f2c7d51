import { build, type Histogram } from 'hdr-histogram-js';
import type { LatencySummary } from '../result-schema.ts';

/** One minute in microseconds; the histogram resizes itself should a call take longer. */
const HIGHEST_TRACKABLE_US = 60_000_000;

/** A histogram of integer microseconds, three significant digits. */
export function createLatencyHistogram(): Histogram {
  return build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: HIGHEST_TRACKABLE_US,
    numberOfSignificantValueDigits: 3,
  });
}

export function summarizeLatency(histogram: Histogram): LatencySummary {
  const count = histogram.totalCount;
  return {
    count,
    minUs: count === 0 ? 0 : histogram.minNonZeroValue,
    meanUs: histogram.mean,
    stdevUs: histogram.stdDeviation,
    p50Us: histogram.getValueAtPercentile(50),
    p90Us: histogram.getValueAtPercentile(90),
    p99Us: histogram.getValueAtPercentile(99),
    p999Us: histogram.getValueAtPercentile(99.9),
    maxUs: histogram.maxValue,
  };
}
