import { build, decodeFromCompressedBase64, type Histogram } from 'hdr-histogram-js';
import { formatPercentileOfX } from '../util/format.ts';
import { usToMs } from '../util/units.ts';
import { HistogramDecodeError } from './errors.ts';
import { checkEncodedHistogramHeader } from './histogram-header.ts';

/**
 * The HdrHistogram percentile plot: x = 1/(1-p) on a log axis, so each decade of x is one more
 * "nine" (10 → 90 %, 100 → 99 %, 1000 → 99.9 %), and latency on y.
 */

/** Points per halving of the remaining fraction, as HdrHistogram's percentile output counts them. */
export const TICKS_PER_HALF_DISTANCE = 10;

/** Where the x axis is labelled. */
export const PERCENTILE_TICKS = [2, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000];

/**
 * Decodes a result's histogram once its header is within bounds (histogram-header.ts): a crafted
 * range or precision is refused before the library allocates or anything walks its buckets.
 * Throws HistogramDecodeError (ERR_BAD_HISTOGRAM) naming the field, and the header field at fault.
 */
export function decodeHistogram(encoded: string, fieldPath: string): Histogram {
  try {
    checkEncodedHistogramHeader(encoded);
    return decodeFromCompressedBase64(encoded);
  } catch (error) {
    throw new HistogramDecodeError(fieldPath, error instanceof Error ? error.message : String(error), {
      cause: error,
    });
  }
}

/** Adds several encoded histograms into one (a server's latency over every phase). */
export function mergeEncodedHistograms(parts: readonly { encoded: string; fieldPath: string }[]): Histogram {
  const [first, ...rest] = parts;
  if (first === undefined) throw new HistogramDecodeError('histogram', 'nothing to merge');
  // Decoded histograms do not grow, so add them all into one that does.
  const decoded = [first, ...rest].map((part) => decodeHistogram(part.encoded, part.fieldPath));
  const merged = build({
    autoResize: true,
    numberOfSignificantValueDigits: decoded[0]!.numberOfSignificantValueDigits as 1 | 2 | 3 | 4 | 5,
  });
  for (const histogram of decoded) merged.add(histogram);
  return merged;
}

/** x values of the curve for a histogram of `count` values: 1, 2^(1/t), 2^(2/t), ... up to count. */
export function percentileGrid(count: number): number[] {
  const xs: number[] = [];
  if (count < 1) return xs;
  for (let k = 0; ; k++) {
    const x = 2 ** (k / TICKS_PER_HALF_DISTANCE);
    if (x >= count) break;
    xs.push(x);
  }
  // The last point, x = count, is the largest value recorded.
  xs.push(count);
  return xs;
}

/** Latency in microseconds at the x of the plot, or the maximum at and beyond x = count. */
export function latencyAtX(histogram: Histogram, x: number): number {
  if (x >= histogram.totalCount) return histogram.maxValue;
  return histogram.getValueAtPercentile(100 * (1 - 1 / x));
}

export interface CurveSeries {
  label: string;
  /** Index into the palette; by default the series' own position. */
  colourIndex?: number;
  /** Index of a dash pattern, 0 being a solid line. */
  dashIndex?: number;
  /** Latency in milliseconds per x, null where this histogram has fewer values than x needs. */
  yMs: (number | null)[];
}

/** Several curves on one shared x array, as uPlot wants them. */
export interface CurveSet {
  x: number[];
  /** The percentile each x stands for, already formatted (`99.9 %`). */
  xLabels: string[];
  ticks: { x: number; label: string }[];
  series: CurveSeries[];
}

export interface LabelledHistogram {
  label: string;
  histogram: Histogram;
  colourIndex?: number;
  dashIndex?: number;
}

export function buildCurveSet(curves: readonly LabelledHistogram[]): CurveSet {
  const xsSet = new Set<number>();
  for (const { histogram } of curves) for (const x of percentileGrid(histogram.totalCount)) xsSet.add(x);
  const x = [...xsSet].sort((a, b) => a - b);
  const maxX = x.at(-1) ?? 1;
  return {
    x,
    xLabels: x.map(formatPercentileOfX),
    ticks: PERCENTILE_TICKS.filter((tick) => tick <= Math.max(maxX, 10)).map((tick) => ({
      x: tick,
      label: formatPercentileOfX(tick),
    })),
    series: curves.map(({ label, histogram, colourIndex, dashIndex }) => ({
      label,
      ...(colourIndex === undefined ? {} : { colourIndex }),
      ...(dashIndex === undefined ? {} : { dashIndex }),
      yMs: x.map((xValue) => (xValue <= histogram.totalCount ? usToMs(latencyAtX(histogram, xValue)) : null)),
    })),
  };
}
