import type { PhaseResult, RunResult } from '../../result/result-schema.ts';
import type { SampleStatistic } from '../../stats/bootstrap.ts';
import { formatCount, formatLatencyUs, formatRate, formatStat } from '../../util/format.ts';
import {
  intervalErrorRates,
  intervalLatencies,
  intervalPercentiles,
  intervalRates,
} from './interval-samples.ts';
import { type Better, judgeChange, judgeShares, type NoisyChange } from './noise-judgement.ts';

export type { Better } from './noise-judgement.ts';

export interface ComparedMetric {
  key: 'callsPerSecond' | 'p50Us' | 'p90Us' | 'p99Us' | 'p999Us' | 'maxUs' | 'errors' | 'jain';
  label: string;
  better: Better;
  /** The whole phase's figure. */
  read: (phase: PhaseResult) => number | null;
  format: (value: number) => string;
  /** Whether B's figure differs from A's by more than the noise. */
  judge: (a: PhaseResult, b: PhaseResult) => NoisyChange;
}

/**
 * A metric judged by its figure interval by interval: the median for most, the mean for errors,
 * which most intervals have none of.
 */
function bySamples(
  metric: Omit<ComparedMetric, 'judge'>,
  samples: (phase: PhaseResult) => number[],
  statistic: SampleStatistic,
): ComparedMetric {
  return { ...metric, judge: (a, b) => judgeChange(samples(a), samples(b), metric.better, statistic) };
}

/** The servers' own counts, the ground truth of how calls were spread. */
// External servers whose counts could not be read are judged by the clients' counts, as their shares are.
const serverCounts = (phase: PhaseResult) =>
  phase.servers.map((server) => server.serverCount ?? server.clientCount);

type LatencyKey = 'p50Us' | 'p90Us' | 'p99Us' | 'p999Us' | 'maxUs';

/** A latency from the phase's summary: lower is better. */
function latencyMetric(
  key: LatencyKey,
  label: string,
  samples: (phase: PhaseResult) => number[],
): ComparedMetric {
  return bySamples(
    { key, label, better: 'lower', read: (p) => p.latency.summary[key], format: formatLatencyUs },
    samples,
    'median',
  );
}

export const COMPARED_METRICS: readonly ComparedMetric[] = [
  bySamples(
    {
      key: 'callsPerSecond',
      label: 'calls/s',
      better: 'higher',
      read: (p) => p.callsPerSecond,
      format: formatRate,
    },
    intervalRates,
    'median',
  ),
  latencyMetric('p50Us', 'p50', (p) => intervalLatencies(p, 'p50Us')),
  latencyMetric('p90Us', 'p90', (p) => intervalPercentiles(p, 90)),
  latencyMetric('p99Us', 'p99', (p) => intervalLatencies(p, 'p99Us')),
  latencyMetric('p999Us', 'p99.9', (p) => intervalPercentiles(p, 99.9)),
  latencyMetric('maxUs', 'max', (p) => intervalLatencies(p, 'maxUs')),
  bySamples(
    {
      key: 'errors',
      label: 'errors',
      better: 'lower',
      read: (p) => p.errors,
      format: formatCount,
    },
    intervalErrorRates,
    'mean',
  ),
  {
    key: 'jain',
    label: "Jain's index",
    better: 'higher',
    read: (p) => p.fairness?.jain ?? null,
    format: formatStat,
    judge: (a, b) =>
      judgeShares(serverCounts(a), serverCounts(b), a.fairness?.jain ?? 0, b.fairness?.jain ?? 0),
  },
];

export interface Delta {
  /** b − a, null when either side has no value. */
  difference: number | null;
  /** (b − a) / a, null when a is 0 or missing. */
  relative: number | null;
}

/** How far apart two whole-phase figures are; whether that is more than noise is noise-judgement's call. */
export function compareValues(a: number | null, b: number | null): Delta {
  if (a === null || b === null) return { difference: null, relative: null };
  const difference = b - a;
  return { difference, relative: a === 0 ? null : difference / a };
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
