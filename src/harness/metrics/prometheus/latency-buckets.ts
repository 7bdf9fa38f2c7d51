import type { Histogram } from '../../../result/histogram.ts';
import { usToSeconds } from '../../../util/units.ts';

/**
 * The upper bounds (`le`) of the exported latency histogram, in seconds: 50 µs to 10 s in 1-2.5-5
 * steps, fine enough for loopback calls and wide enough for stalls; +Inf is added by the exposition.
 */
export const LATENCY_BUCKET_BOUNDS_SECONDS: readonly number[] = Object.freeze([
  0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
]);

const BOUNDS_US = LATENCY_BUCKET_BOUNDS_SECONDS.map((seconds) => Math.round(seconds * 1e6));

/** A Prometheus histogram's figures: cumulative counts per bound (+Inf is `count`), and the sum. */
export interface LatencyBuckets {
  /** Calls at or under each bound of LATENCY_BUCKET_BOUNDS_SECONDS, cumulative. */
  cumulative: number[];
  count: number;
  sumSeconds: number;
}

export function emptyBuckets(): LatencyBuckets {
  return { cumulative: BOUNDS_US.map(() => 0), count: 0, sumSeconds: 0 };
}

/** Minimal view of a decoded (JavaScript) HdrHistogram, whose counts can be walked by index. */
interface IndexedHistogram {
  countsArrayLength: number;
  getCountAtIndex(index: number): number;
  valueFromIndex(index: number): number;
}

/**
 * The buckets of a histogram of microseconds, as a JavaScript (decoded) HdrHistogram holds it. A
 * value counts under a bound when its slot starts within it, as HdrHistogram's own
 * getCountBetweenValues counts: exact below 2,048 µs, within 0.1 % above. The sum is mean × count,
 * as the result file's summary gives it.
 */
export function bucketsOf(histogram: Histogram): LatencyBuckets {
  const indexed = histogram as unknown as IndexedHistogram;
  const perBound = BOUNDS_US.map(() => 0);
  for (let index = 0; index < indexed.countsArrayLength; index++) {
    const count = indexed.getCountAtIndex(index);
    if (count === 0) continue;
    const valueUs = indexed.valueFromIndex(index);
    const bound = BOUNDS_US.findIndex((limitUs) => valueUs <= limitUs);
    if (bound !== -1) perBound[bound]! += count;
  }
  let running = 0;
  const cumulative = perBound.map((count) => (running += count));
  const count = histogram.totalCount;
  return { cumulative, count, sumSeconds: count === 0 ? 0 : usToSeconds(histogram.mean * count) };
}

/** Adds `other` into `into`, bucket by bucket. */
export function addBuckets(into: LatencyBuckets, other: LatencyBuckets): void {
  for (let bound = 0; bound < into.cumulative.length; bound++)
    into.cumulative[bound]! += other.cumulative[bound]!;
  into.count += other.count;
  into.sumSeconds += other.sumSeconds;
}
