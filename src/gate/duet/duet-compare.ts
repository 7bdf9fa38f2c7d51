import { median, quantileSorted, sortAscending } from '../../stats/descriptive.ts';
import { compareMetric, type MetricComparison, type MetricDirection } from '../verdict.ts';
import type { Side } from './duet-side.ts';

export type DuetMetricName = 'callsPerSecond' | 'p50' | 'p99' | 'cpuPerCall';

const METRICS: Record<DuetMetricName, { label: string; unit: string; direction: MetricDirection }> = {
  callsPerSecond: { label: 'calls/s (higher is better)', unit: 'calls/s', direction: 'higher-is-better' },
  p50: { label: 'p50 latency (lower is better)', unit: 'ms', direction: 'lower-is-better' },
  p99: { label: 'p99 latency (lower is better)', unit: 'ms', direction: 'lower-is-better' },
  cpuPerCall: { label: 'server CPU per call (lower is better)', unit: 'µs', direction: 'lower-is-better' },
};

/** One metric of one phase: the paired ratios B ÷ A and their verdict. */
export interface DuetMetricRow {
  scenario: string;
  phase: string;
  metric: DuetMetricName;
  label: string;
  unit: string;
  maxSlowdown: number;
  /** Per pair of windows: B's figure ÷ A's, side by side in time. */
  ratios: number[];
  /** Medians shown are A's and B's own figures; ratio and interval are of the pair-normalised samples. */
  comparison: MetricComparison;
}

/** A/B latency percentiles of one phase, every call of the measured windows. */
export interface DuetLatencyCurve {
  phase: string;
  percentiles: number[];
  baselineMs: number[];
  candidateMs: number[];
}

export interface DuetLimits {
  /** Largest slowdown tolerated in latency and CPU per call. */
  maxSlowdown: number;
  maxThroughputSlowdown: number;
}

/**
 * Compares B with A per metric over the pairs of windows measured so far. An interval straddling
 * its limit stays "unsure" (it does not fail): the caller measures again, and what is still unsure
 * after the last batch passes, shown as unsure. A regression must lie wholly beyond the limit.
 * Deciding by the point estimate instead (as the stored-baseline gate does at its last round)
 * failed a duet of two equal builds on p99: 1.179, interval 1.064–1.394, after three batches.
 */
export function compareSides(
  where: { scenario: string; phase: string },
  a: Side,
  b: Side,
  limits: DuetLimits,
): DuetMetricRow[] {
  const pairs = Math.min(a.windows.length, b.windows.length);
  const rows: DuetMetricRow[] = [];
  for (const metric of Object.keys(METRICS) as DuetMetricName[]) {
    const aValues: number[] = [];
    const bValues: number[] = [];
    for (let i = 0; i < pairs; i++) {
      const x = a.windows[i]![metric];
      const y = b.windows[i]![metric];
      if (x === undefined || y === undefined || !(x > 0) || !(y > 0)) continue;
      aValues.push(x);
      bValues.push(y);
    }
    if (aValues.length < 3) continue;
    const { label, unit, direction } = METRICS[metric];
    const maxSlowdown = metric === 'callsPerSecond' ? limits.maxThroughputSlowdown : limits.maxSlowdown;
    // Each pair divided by its geometric mean: what both windows shared drops out, B ÷ A stays.
    const mean = aValues.map((x, i) => Math.sqrt(x * bValues[i]!));
    const comparison = compareMetric(
      bValues.map((y, i) => y / mean[i]!),
      aValues.map((x, i) => x / mean[i]!),
      { direction, maxSlowdown, final: false },
    );
    rows.push({
      ...where,
      metric,
      label,
      unit,
      maxSlowdown,
      ratios: bValues.map((y, i) => y / aValues[i]!),
      comparison: { ...comparison, baselineMedian: median(aValues), nowMedian: median(bValues) },
    });
  }
  return rows;
}

const CURVE_PERCENTILES = [0, 10, 25, 50, 75, 90, 95, 99, 99.9];

export function latencyCurve(phase: string, a: Side, b: Side): DuetLatencyCurve {
  const all = (side: Side): number[] => sortAscending(side.windows.flatMap((window) => window.latenciesMs));
  const [sortedA, sortedB] = [all(a), all(b)];
  return {
    phase,
    percentiles: CURVE_PERCENTILES,
    baselineMs: CURVE_PERCENTILES.map((p) => quantileSorted(sortedA, p / 100)),
    candidateMs: CURVE_PERCENTILES.map((p) => quantileSorted(sortedB, p / 100)),
  };
}
