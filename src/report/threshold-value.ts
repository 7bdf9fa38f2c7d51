import { formatCount, formatLatencyUs, formatRate, formatStat } from '../util/format.ts';

/** Metrics whose measured value is a latency; result files keep every latency in microseconds. */
const LATENCY_METRIC = /^(p\d+(\.\d+)?|min|mean|max|median|stdev)Us$/;

/** The measured value of a threshold, written in the unit its metric name carries. */
export function formatThresholdActual(metric: string, actual: number | null): string {
  if (actual === null) return 'not measured';
  if (LATENCY_METRIC.test(metric)) return formatLatencyUs(actual);
  if (metric === 'errorPercent') return `${Number(actual.toPrecision(3))}\u00a0%`;
  if (metric === 'callsPerSecond') return formatRate(actual);
  if (metric === 'jain' || metric === 'cv') return formatStat(actual);
  if (Number.isInteger(actual)) return formatCount(actual);
  return String(Number(actual.toPrecision(4)));
}
