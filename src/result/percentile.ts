import { decodeHistogram } from './histogram.ts';
import type { HistogramRecord, LatencySummary } from './result-schema.ts';

/** The latency columns a summary shows unless the scenario's `percentiles` says otherwise. */
export const DEFAULT_SUMMARY_PERCENTILES: readonly number[] = Object.freeze([50, 90, 99, 99.9]);

/** `p95`, `p99.99`, `P50` or k6's `p(99.95)`; the number must be above 0 and at most 100. */
const PERCENTILE_NAME = /^p(?:(?<bare>\d+(?:\.\d+)?)|\((?<paren>\d+(?:\.\d+)?)\))$/i;

/** The percentiles every latency summary in a result file holds, by the field that holds them. */
const SUMMARY_FIELDS = new Map<number, keyof LatencySummary>([
  [50, 'p50Us'],
  [90, 'p90Us'],
  [99, 'p99Us'],
  [99.9, 'p999Us'],
]);

/**
 * The percentile a name such as `p95`, `p99.99` or `p(99.95)` stands for; undefined when the name
 * is not a percentile, NaN when it is written as one but lies outside (0, 100].
 */
export function parsePercentileName(name: string): number | undefined {
  const groups = PERCENTILE_NAME.exec(name)?.groups;
  if (groups === undefined) return undefined;
  const value = Number(groups.bare ?? groups.paren);
  return value > 0 && value <= 100 ? value : Number.NaN;
}

export function isValidPercentile(value: number): boolean {
  return Number.isFinite(value) && value > 0 && value <= 100;
}

/** `p95`, `p99.99`: how summaries and exports head a percentile's column. */
export function percentileLabel(percentile: number): string {
  return `p${percentile}`;
}

/**
 * The metric name a percentile has in result files: the summary's own field for the four it holds
 * (`p999Us` for 99.9), else `p<percentile>Us` (`p95Us`, `p99.99Us`).
 */
export function percentileMetric(percentile: number): string {
  return SUMMARY_FIELDS.get(percentile) ?? `p${percentile}Us`;
}

/**
 * The latency at a percentile, µs: read from the summary when it holds that percentile, else from
 * the encoded histogram. Null when the histogram is empty.
 */
export function latencyAtPercentile(latency: HistogramRecord, percentile: number): number | null {
  if (latency.summary.count === 0) return null;
  const field = SUMMARY_FIELDS.get(percentile);
  if (field !== undefined) return latency.summary[field];
  const histogram = decodeHistogram(latency.encoded);
  try {
    return histogram.getValueAtPercentile(percentile);
  } finally {
    histogram.destroy();
  }
}

/** The percentiles a run's summaries show: its scenario's `percentiles`, else the default four. */
export function summaryPercentiles(config: Readonly<Record<string, unknown>>): readonly number[] {
  const listed = config.percentiles;
  if (
    Array.isArray(listed) &&
    listed.length > 0 &&
    listed.every((value) => typeof value === 'number' && isValidPercentile(value))
  ) {
    return listed as number[];
  }
  return DEFAULT_SUMMARY_PERCENTILES;
}
