import { bootstrapDifference, type SampleStatistic } from '../../stats/bootstrap.ts';
import { chiSquarePValue } from '../../stats/chi-square.ts';
import { median } from '../../stats/descriptive.ts';
import { mannWhitneyU } from '../../stats/mann-whitney.ts';

/** Which way a metric improves. */
export type Better = 'higher' | 'lower';

/**
 * - `better` / `worse`: the change is larger than the noise of the per-interval samples;
 * - `unclear`: it is not (or there are too few intervals to tell): "no clear change";
 * - `n/a`: one run lacks the figure.
 */
export type ChangeVerdict = 'better' | 'worse' | 'unclear' | 'n/a';

/** Fewer intervals than this on either side and no change is called clear. */
export const MIN_INTERVALS = 5;
/** Significance level of the two-sided Mann-Whitney U test. */
export const CHANGE_ALPHA = 0.01;
export const CHANGE_CONFIDENCE = 0.95;
/**
 * A change smaller than this fraction of run A's figure is never called: identical runs on one
 * machine differ by a few percent in their medians (scheduling, the CPU's clock, other work),
 * a shift that per-interval tests find "significant" because intervals of one run are not
 * independent.
 */
export const MIN_RELEVANT_CHANGE = 0.05;

export interface NoisyChange {
  verdict: ChangeVerdict;
  /** The statistic of each run's per-interval samples. */
  a: number;
  b: number;
  /** b − a, with its bootstrap interval. */
  difference: number;
  low: number;
  high: number;
  /**
   * The interval of b / a − 1, bootstrapped on the log scale, where every sample is positive (a
   * latency, a rate): it never falls below −100 %. Null where a sample is 0 or below (errors).
   */
  relativeLow: number | null;
  relativeHigh: number | null;
  confidence: number;
  /** Two-sided Mann-Whitney U p-value of the two samples. */
  pValue: number;
  /** Intervals on each side. */
  samples: [number, number];
  /** Why no verdict could be given, when none could. */
  reason: 'too few intervals' | null;
  /** How it was judged: per-interval samples, or the servers' counts (shares). */
  method: 'intervals' | 'shares';
}

/**
 * Judges a change between two runs by their per-interval samples of one metric. A change is
 * called only when all say so: the bootstrap interval of the difference in the statistic
 * excludes zero, the Mann-Whitney U test rejects "same distribution" at CHANGE_ALPHA, and the
 * change is at least MIN_RELEVANT_CHANGE of run A's figure. The
 * first keeps a shift smaller than the spread from counting; the second keeps a lucky
 * statistic from doing so. Intervals of one run are not quite independent (a burst of load on
 * the machine spans several), so the interval is an optimistic bound: a change called here is
 * real in these two runs, not necessarily between the two builds.
 */
export function judgeChange(
  a: readonly number[],
  b: readonly number[],
  better: Better,
  statistic: SampleStatistic,
): NoisyChange {
  const interval = bootstrapDifference(b, a, statistic, { confidence: CHANGE_CONFIDENCE });
  const samples: [number, number] = [a.length, b.length];
  const relative = relativeInterval(a, b, statistic);
  const base = {
    relativeLow: relative?.low ?? null,
    relativeHigh: relative?.high ?? null,
    a: summarise(a, statistic),
    b: summarise(b, statistic),
    difference: interval.difference,
    low: interval.low,
    high: interval.high,
    confidence: interval.confidence,
    samples,
    method: 'intervals' as const,
  };
  if (a.length === 0 || b.length === 0) return { ...base, verdict: 'n/a', pValue: Number.NaN, reason: null };
  const pValue = mannWhitneyU(b, a, 'two-sided').pValue;
  if (a.length < MIN_INTERVALS || b.length < MIN_INTERVALS)
    return { ...base, verdict: 'unclear', pValue, reason: 'too few intervals' };
  const relevant = base.a === 0 || Math.abs(interval.difference) >= MIN_RELEVANT_CHANGE * Math.abs(base.a);
  const clear = (interval.low > 0 || interval.high < 0) && pValue < CHANGE_ALPHA && relevant;
  if (!clear) return { ...base, verdict: 'unclear', pValue, reason: null };
  const improved = better === 'higher' ? interval.difference > 0 : interval.difference < 0;
  return { ...base, verdict: improved ? 'better' : 'worse', pValue, reason: null };
}

/**
 * Whether two runs spread their calls over the servers differently: the chi-square test of
 * homogeneity of their per-server counts (k servers, k − 1 degrees of freedom). A random picker
 * never gives exactly its expected shares; this says whether two runs' departures differ by more
 * than that. The direction is that of Jain's index, `jainA` to `jainB`.
 */
export function judgeShares(
  countsA: readonly number[],
  countsB: readonly number[],
  jainA: number,
  jainB: number,
): NoisyChange {
  const k = Math.min(countsA.length, countsB.length);
  const base = {
    relativeLow: null,
    relativeHigh: null,
    a: jainA,
    b: jainB,
    difference: jainB - jainA,
    low: Number.NaN,
    high: Number.NaN,
    confidence: CHANGE_CONFIDENCE,
    samples: [sum(countsA), sum(countsB)] as [number, number],
    reason: null,
    method: 'shares' as const,
  };
  const rowA = sum(countsA.slice(0, k));
  const rowB = sum(countsB.slice(0, k));
  if (k < 2 || rowA === 0 || rowB === 0) return { ...base, verdict: 'n/a', pValue: Number.NaN };
  let statistic = 0;
  let columns = 0;
  for (let j = 0; j < k; j++) {
    const column = countsA[j]! + countsB[j]!;
    if (column === 0) continue;
    columns++;
    for (const [observed, row] of [
      [countsA[j]!, rowA],
      [countsB[j]!, rowB],
    ] as const) {
      const expected = (row * column) / (rowA + rowB);
      statistic += (observed - expected) ** 2 / expected;
    }
  }
  const pValue = columns < 2 ? 1 : chiSquarePValue(statistic, columns - 1);
  if (pValue >= CHANGE_ALPHA || jainA === jainB) return { ...base, verdict: 'unclear', pValue };
  return { ...base, verdict: jainB > jainA ? 'better' : 'worse', pValue };
}

/**
 * The change as a ratio, b / a − 1, with its interval from the bootstrap of the difference of the
 * logarithms: the median of the logs is the log of the median, so the bounds come back as ratios,
 * and a ratio of positive figures cannot fall by more than 100 %. Null unless every sample is positive.
 */
function relativeInterval(
  a: readonly number[],
  b: readonly number[],
  statistic: SampleStatistic,
): { low: number; high: number } | null {
  if (statistic !== 'median' || a.length === 0 || b.length === 0) return null;
  if (!a.every((v) => v > 0) || !b.every((v) => v > 0)) return null;
  const logInterval = bootstrapDifference(b.map(Math.log), a.map(Math.log), 'median', {
    confidence: CHANGE_CONFIDENCE,
  });
  return { low: Math.expm1(logInterval.low), high: Math.expm1(logInterval.high) };
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

function summarise(values: readonly number[], statistic: SampleStatistic): number {
  if (values.length === 0) return Number.NaN;
  return statistic === 'median'
    ? median(values)
    : values.reduce((sum, value) => sum + value, 0) / values.length;
}
