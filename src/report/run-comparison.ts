import type { PhaseResult, RunResult } from '../result/result-schema.ts';
import { formatCount, formatLatencyUs, formatRate, formatStat } from '../util/format.ts';

/** Which way a metric improves. */
export type Better = 'higher' | 'lower';
export type Verdict = 'better' | 'worse' | 'same' | 'n/a';

export interface ComparedMetric {
  key: 'callsPerSecond' | 'p50Us' | 'p90Us' | 'p99Us' | 'p999Us' | 'maxUs' | 'errors' | 'jain';
  label: string;
  better: Better;
  read: (phase: PhaseResult) => number | null;
  format: (value: number) => string;
}

type LatencyKey = 'p50Us' | 'p90Us' | 'p99Us' | 'p999Us' | 'maxUs';

/** A latency from the phase's summary: lower is better. */
function latencyMetric(key: LatencyKey, label: string): ComparedMetric {
  return { key, label, better: 'lower', read: (p) => p.latency.summary[key], format: formatLatencyUs };
}

export const COMPARED_METRICS: readonly ComparedMetric[] = [
  {
    key: 'callsPerSecond',
    label: 'calls/s',
    better: 'higher',
    read: (p) => p.callsPerSecond,
    format: formatRate,
  },
  latencyMetric('p50Us', 'p50'),
  latencyMetric('p90Us', 'p90'),
  latencyMetric('p99Us', 'p99'),
  latencyMetric('p999Us', 'p99.9'),
  latencyMetric('maxUs', 'max'),
  { key: 'errors', label: 'errors', better: 'lower', read: (p) => p.errors, format: formatCount },
  {
    key: 'jain',
    label: "Jain's index",
    better: 'higher',
    read: (p) => p.fairness?.jain ?? null,
    format: formatStat,
  },
];

export interface Delta {
  /** b − a, null when either side has no value. */
  difference: number | null;
  /** (b − a) / a, null when a is 0 or missing. */
  relative: number | null;
  verdict: Verdict;
}

export function compareValues(a: number | null, b: number | null, better: Better): Delta {
  if (a === null || b === null) return { difference: null, relative: null, verdict: 'n/a' };
  const difference = b - a;
  const relative = a === 0 ? null : difference / a;
  if (difference === 0) return { difference, relative, verdict: 'same' };
  const improved = better === 'higher' ? difference > 0 : difference < 0;
  return { difference, relative, verdict: improved ? 'better' : 'worse' };
}

/** The same phase in each run, or null where a run lacks it. */
export interface PhaseMatch {
  label: string;
  phases: (PhaseResult | null)[];
}

/**
 * Lines up the phases of several runs by label, in the order they first appear. Runs of a single
 * phase each are compared directly, whatever their labels: they are one scenario measured twice.
 */
export function matchPhases(runs: readonly RunResult[]): PhaseMatch[] {
  if (runs.every((run) => run.phases.length === 1)) {
    const labels = [...new Set(runs.map((run) => run.phases[0]!.label))];
    return [{ label: labels.join(' / '), phases: runs.map((run) => run.phases[0]!) }];
  }
  const labels: string[] = [];
  for (const run of runs)
    for (const phase of run.phases) if (!labels.includes(phase.label)) labels.push(phase.label);
  return labels.map((label) => ({
    label,
    phases: runs.map((run) => run.phases.find((phase) => phase.label === label) ?? null),
  }));
}

/** "A", "B", ... "Z", "AA": how the comparison names each run. */
export function runLetter(index: number): string {
  let letter = '';
  let n = index;
  do {
    letter = String.fromCharCode(65 + (n % 26)) + letter;
    n = Math.floor(n / 26) - 1;
  } while (n >= 0);
  return letter;
}
