import { type BootstrapOptions, bootstrapMedianRatio } from '../stats/bootstrap.ts';
import { median } from '../stats/descriptive.ts';
import { mannWhitneyU } from '../stats/mann-whitney.ts';

/** Calls per second get better as they grow; latencies as they shrink. */
export type MetricDirection = 'higher-is-better' | 'lower-is-better';

/**
 * - `ok`: no slowdown beyond the threshold, and none that is significant.
 * - `faster` / `slower`: a significant change that stays within the threshold.
 * - `regression`: slower than the threshold allows, and significant.
 * - `unsure`: the interval straddles the threshold; more rounds would decide.
 */
export type PerformanceVerdict = 'ok' | 'faster' | 'slower' | 'regression' | 'unsure';

/** The limit on CPU time per call: precise enough to hold a tight bound. */
export const DEFAULT_MAX_SLOWDOWN = 0.1;
/**
 * The limit on wall-clock throughput: it moves with whatever else the machine runs, so it only
 * catches large slowdowns that cost no CPU (waiting on a timer, lost write batching).
 */
export const DEFAULT_MAX_THROUGHPUT_SLOWDOWN = 0.25;
export const DEFAULT_ALPHA = 0.01;

export interface ComparisonOptions extends BootstrapOptions {
  direction: MetricDirection;
  /** The largest slowdown tolerated: 0.1 means each call may cost up to 10 % more. */
  maxSlowdown: number;
  /** Significance level of the one-sided Mann-Whitney U test. @default 0.01 */
  alpha?: number;
  /** No more rounds can be run: an interval straddling the threshold is decided by its point estimate. */
  final: boolean;
}

export interface MetricComparison {
  baselineMedian: number;
  nowMedian: number;
  /** median(now) / median(baseline), with its bootstrap interval. */
  ratio: number;
  ratioLow: number;
  ratioHigh: number;
  confidence: number;
  /**
   * How much more each call costs now: baseline/now − 1 for calls per second, now/baseline − 1 for
   * latencies. Positive is slower.
   */
  slowdown: number;
  slowdownLow: number;
  slowdownHigh: number;
  /** One-sided Mann-Whitney U p-value that now is worse than the baseline. */
  pWorse: number;
  /** One-sided Mann-Whitney U p-value that now is better than the baseline. */
  pBetter: number;
  verdict: PerformanceVerdict;
}

/**
 * Compares per-round samples of one metric with the baseline's. A regression needs both a large
 * enough effect (the bootstrap interval of the median ratio lies beyond maxSlowdown) and a
 * significant one (Mann-Whitney U): the first keeps noise-sized shifts from failing the build, the
 * second keeps a lucky median from doing so on few rounds.
 */
export function compareMetric(
  now: readonly number[],
  baseline: readonly number[],
  options: ComparisonOptions,
): MetricComparison {
  const alpha = options.alpha ?? DEFAULT_ALPHA;
  const interval = bootstrapMedianRatio(now, baseline, options);
  const higherIsBetter = options.direction === 'higher-is-better';
  const toSlowdown = (ratio: number): number => (higherIsBetter ? 1 / ratio - 1 : ratio - 1);
  const slowdown = toSlowdown(interval.ratio);
  const bounds = [toSlowdown(interval.low), toSlowdown(interval.high)];
  const slowdownLow = Math.min(...bounds);
  const slowdownHigh = Math.max(...bounds);
  const pWorse = mannWhitneyU(now, baseline, higherIsBetter ? 'less' : 'greater').pValue;
  const pBetter = mannWhitneyU(now, baseline, higherIsBetter ? 'greater' : 'less').pValue;
  const limit = options.maxSlowdown;
  let verdict: PerformanceVerdict;
  if (slowdownLow > limit && pWorse < alpha) verdict = 'regression';
  else if (slowdownHigh <= limit) {
    if (slowdownHigh < 0 && pBetter < alpha) verdict = 'faster';
    else if (slowdownLow > 0 && pWorse < alpha) verdict = 'slower';
    else verdict = 'ok';
  } else if (!options.final) verdict = 'unsure';
  else if (slowdown > limit && pWorse < alpha) verdict = 'regression';
  else verdict = slowdownLow > 0 && pWorse < alpha ? 'slower' : 'ok';
  return {
    baselineMedian: median(baseline),
    nowMedian: median(now),
    ratio: interval.ratio,
    ratioLow: interval.low,
    ratioHigh: interval.high,
    confidence: interval.confidence,
    slowdown,
    slowdownLow,
    slowdownHigh,
    pWorse,
    pBetter,
    verdict,
  };
}
