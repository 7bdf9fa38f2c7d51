import { createSeededRandom } from '../util/seeded-random.ts';
import { median, quantileSorted, sortAscending } from './descriptive.ts';

export interface BootstrapOptions {
  /** Resamples drawn. @default 4000 */
  resamples?: number;
  /** Two-sided coverage of the interval. @default 0.95 */
  confidence?: number;
  /** Seed of the resampling, so that equal samples always give an equal interval. @default 1 */
  seed?: number;
}

export const DEFAULT_BOOTSTRAP_RESAMPLES = 4000;
export const DEFAULT_CONFIDENCE = 0.95;
const DEFAULT_SEED = 1;

export interface RatioInterval {
  /** median(now) / median(baseline). */
  ratio: number;
  low: number;
  high: number;
  confidence: number;
}

/**
 * A percentile-bootstrap confidence interval of median(now) / median(baseline): each sample is
 * resampled with replacement on its own, as the two were measured independently.
 */
export function bootstrapMedianRatio(
  now: readonly number[],
  baseline: readonly number[],
  options: BootstrapOptions = {},
): RatioInterval {
  const resamples = options.resamples ?? DEFAULT_BOOTSTRAP_RESAMPLES;
  const confidence = options.confidence ?? DEFAULT_CONFIDENCE;
  if (now.length === 0 || baseline.length === 0) {
    return { ratio: Number.NaN, low: Number.NaN, high: Number.NaN, confidence };
  }
  const random = createSeededRandom(options.seed ?? DEFAULT_SEED);
  const ratios = new Float64Array(resamples);
  const nowDraw = new Float64Array(now.length);
  const baselineDraw = new Float64Array(baseline.length);
  for (let r = 0; r < resamples; r++) {
    ratios[r] = resampledMedian(now, nowDraw, random) / resampledMedian(baseline, baselineDraw, random);
  }
  const sorted = sortAscending(Array.from(ratios));
  const tail = (1 - confidence) / 2;
  return {
    ratio: median(now) / median(baseline),
    low: quantileSorted(sorted, tail),
    high: quantileSorted(sorted, 1 - tail),
    confidence,
  };
}

function resampledMedian(values: readonly number[], draw: Float64Array, random: () => number): number {
  const n = values.length;
  for (let i = 0; i < n; i++) draw[i] = values[Math.floor(random() * n)]!;
  draw.sort();
  const middle = n >> 1;
  return n % 2 === 1 ? draw[middle]! : (draw[middle - 1]! + draw[middle]!) / 2;
}

/** What a sample is summarised by: its median (robust to outliers) or its mean (sees rare events). */
export type SampleStatistic = 'median' | 'mean';

export interface DifferenceInterval {
  /** statistic(now) − statistic(baseline). */
  difference: number;
  low: number;
  high: number;
  confidence: number;
}

/**
 * A percentile-bootstrap confidence interval of statistic(now) − statistic(baseline), each sample
 * resampled with replacement on its own. Unlike a ratio it is defined when the baseline's
 * statistic is 0 (a run without errors).
 */
export function bootstrapDifference(
  now: readonly number[],
  baseline: readonly number[],
  statistic: SampleStatistic,
  options: BootstrapOptions = {},
): DifferenceInterval {
  const resamples = options.resamples ?? DEFAULT_BOOTSTRAP_RESAMPLES;
  const confidence = options.confidence ?? DEFAULT_CONFIDENCE;
  if (now.length === 0 || baseline.length === 0) {
    return { difference: Number.NaN, low: Number.NaN, high: Number.NaN, confidence };
  }
  const summarise = statistic === 'median' ? resampledMedian : resampledMean;
  const random = createSeededRandom(options.seed ?? DEFAULT_SEED);
  const differences = new Float64Array(resamples);
  const nowDraw = new Float64Array(now.length);
  const baselineDraw = new Float64Array(baseline.length);
  for (let r = 0; r < resamples; r++) {
    differences[r] = summarise(now, nowDraw, random) - summarise(baseline, baselineDraw, random);
  }
  const sorted = sortAscending(Array.from(differences));
  const tail = (1 - confidence) / 2;
  const of = (values: readonly number[]) => (statistic === 'median' ? median(values) : mean(values));
  return {
    difference: of(now) - of(baseline),
    low: quantileSorted(sorted, tail),
    high: quantileSorted(sorted, 1 - tail),
    confidence,
  };
}

function mean(values: readonly number[]): number {
  let total = 0;
  for (const value of values) total += value;
  return total / values.length;
}

function resampledMean(values: readonly number[], draw: Float64Array, random: () => number): number {
  const n = values.length;
  let total = 0;
  for (let i = 0; i < n; i++) {
    draw[i] = values[Math.floor(random() * n)]!;
    total += draw[i]!;
  }
  return total / n;
}
