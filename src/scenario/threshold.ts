import { latencyAtPercentile, parsePercentileName, percentileMetric } from '../result/percentile.ts';
import type { PhaseResult, ThresholdOutcome } from '../result/result-schema.ts';
import { ThresholdSyntaxError } from './errors.ts';

export type ThresholdOperator = '<' | '<=' | '>' | '>=';

/** What a threshold reads from a phase, named with its unit as it appears in results. */
export type ThresholdMetric =
  /** A latency percentile: p50Us, p90Us, p99Us, p999Us (99.9), or any other as p95Us, p99.99Us. */
  `p${string}Us` | 'maxUs' | 'meanUs' | 'errorPercent' | 'errorCount' | 'jain' | 'cv' | 'callsPerSecond';

export interface Threshold {
  /** As written, e.g. `roundrobin: p99 < 5ms`. */
  expression: string;
  /** The phase label it is scoped to, or null for every phase. */
  phase: string | null;
  metric: ThresholdMetric;
  /** For a latency percentile metric, the percentile (0 to 100]; else null. */
  percentile: number | null;
  operator: ThresholdOperator;
  /** The limit in the metric's unit (µs for latencies, percent for `errors … %`). */
  limit: number;
}

/** Latency metrics other than percentiles (`p95`, `p99.99`, `p(99.95)`, which any number may name). */
const LATENCY_METRICS: Record<string, ThresholdMetric> = { max: 'maxUs', mean: 'meanUs' };
/** `p999` predates `p99.9` and means the same. */
const PERCENTILE_ALIASES: Record<string, number> = { p999: 99.9 };
const PLAIN_METRICS: Record<string, ThresholdMetric> = { jain: 'jain', cv: 'cv', rps: 'callsPerSecond' };
const US_PER_UNIT: Record<string, number> = { us: 1, µs: 1, ms: 1_000, s: 1_000_000 };
const METRIC_NAMES = [
  'p<percentile> (p50, p95, p99.99, p(99.95))',
  ...Object.keys(LATENCY_METRICS),
  'errors',
  ...Object.keys(PLAIN_METRICS),
];

const THRESHOLD_PATTERN =
  /^\s*(?:(?<phase>[^:<>=]+?)\s*:\s*)?(?<metric>[A-Za-z][\w.]*(?:\(\s*[\d.]+\s*\))?)\s*(?<operator><=|>=|<|>)\s*(?<value>[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?)\s*(?<unit>[A-Za-zµ%]*)\s*$/;

/**
 * Parses `[phase:] metric op value[unit]`, k6 style:
 * `p99 < 5ms`, `p50 <= 800us`, `errors < 0.1%`, `errors < 10` (a count), `jain >= 0.99`,
 * `rps > 1000`, `roundrobin: p99 < 5ms`. Latency metrics: any percentile (p50, p95, p99.9,
 * p99.99, or k6's p(99.95)), max and mean, with a unit of us, µs, ms or s. Throws ThresholdSyntaxError saying what is wrong.
 */
export function parseThreshold(expression: string): Threshold {
  const match = THRESHOLD_PATTERN.exec(expression);
  if (match?.groups === undefined) {
    throw new ThresholdSyntaxError(
      expression,
      'expected "[phase:] metric op value[unit]", e.g. "p99 < 5ms" or "roundrobin: errors < 0.1%"',
    );
  }
  const { phase, metric: metricName = '', operator, value: valueText = '', unit = '' } = match.groups;
  const value = Number(valueText);
  if (!Number.isFinite(value) || value < 0) {
    throw new ThresholdSyntaxError(expression, `the limit must be a non-negative number, got ${valueText}`);
  }
  const base = {
    expression,
    phase: phase?.trim() || null,
    operator: operator as ThresholdOperator,
    percentile: null,
  };
  const name = metricName.toLowerCase().replace(/\s+/g, '');
  const percentile = PERCENTILE_ALIASES[name] ?? parsePercentileName(name);
  if (Number.isNaN(percentile)) {
    throw new ThresholdSyntaxError(expression, `${metricName}: a percentile must be above 0 and at most 100`);
  }
  const latencyMetric =
    percentile === undefined ? LATENCY_METRICS[name] : (percentileMetric(percentile) as ThresholdMetric);
  if (latencyMetric !== undefined) {
    const scale = US_PER_UNIT[unit.toLowerCase()];
    if (scale === undefined) {
      throw new ThresholdSyntaxError(expression, `${metricName} needs a unit of us, ms or s, got "${unit}"`);
    }
    return { ...base, metric: latencyMetric, percentile: percentile ?? null, limit: value * scale };
  }
  if (name === 'errors') {
    if (unit === '%') return { ...base, metric: 'errorPercent', limit: value };
    if (unit === '') {
      if (!Number.isInteger(value)) {
        throw new ThresholdSyntaxError(
          expression,
          'an error count must be a whole number; write a rate as "0.1%"',
        );
      }
      return { ...base, metric: 'errorCount', limit: value };
    }
    throw new ThresholdSyntaxError(
      expression,
      `errors takes a percentage ("0.1%") or a count, got unit "${unit}"`,
    );
  }
  const plainMetric = PLAIN_METRICS[name];
  if (plainMetric !== undefined) {
    if (unit !== '')
      throw new ThresholdSyntaxError(expression, `${metricName} takes a plain number, got unit "${unit}"`);
    return { ...base, metric: plainMetric, limit: value };
  }
  throw new ThresholdSyntaxError(
    expression,
    `unknown metric "${metricName}"; use one of ${METRIC_NAMES.join(', ')}`,
  );
}

/** The metric's value in a phase, or null when the phase has none (no calls for fairness). */
export function readMetric(
  phase: PhaseResult,
  { metric, percentile }: Pick<Threshold, 'metric' | 'percentile'>,
): number | null {
  if (percentile !== null) return latencyAtPercentile(phase.latency, percentile);
  switch (metric) {
    case 'maxUs':
    case 'meanUs':
      return phase.latency.summary.count === 0 ? null : phase.latency.summary[metric];
    case 'errorPercent':
      return phase.calls === 0 ? null : (phase.errors / phase.calls) * 100;
    case 'errorCount':
      return phase.errors;
    case 'jain':
      return phase.fairness?.jain ?? null;
    case 'cv':
      return phase.fairness?.cv ?? null;
    case 'callsPerSecond':
      return phase.callsPerSecond;
    default:
      return null;
  }
}

export function compare(actual: number, operator: ThresholdOperator, limit: number): boolean {
  switch (operator) {
    case '<':
      return actual < limit;
    case '<=':
      return actual <= limit;
    case '>':
      return actual > limit;
    case '>=':
      return actual >= limit;
  }
}

/**
 * Checks every threshold: a scoped one against its phase, an unscoped one against each phase in
 * turn (one outcome per phase, so a failure names the phase). A missing value fails.
 */
export function evaluateThresholds(
  thresholds: readonly Threshold[],
  phases: readonly PhaseResult[],
): ThresholdOutcome[] {
  const outcomes: ThresholdOutcome[] = [];
  for (const threshold of thresholds) {
    const targets =
      threshold.phase === null ? phases : phases.filter((phase) => phase.label === threshold.phase);
    for (const phase of targets) {
      const actual = readMetric(phase, threshold);
      outcomes.push({
        expression: threshold.expression,
        metric: threshold.metric,
        phase: phase.label,
        actual,
        passed: actual !== null && compare(actual, threshold.operator, threshold.limit),
      });
    }
  }
  return outcomes;
}
