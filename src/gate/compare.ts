import type { GateBaseline } from './baseline.ts';
import type { GateMetricName, PhaseSamples } from './samples.ts';
import { compareMetric, type MetricComparison, type MetricDirection } from './verdict.ts';

export const METRIC_DIRECTIONS: Record<GateMetricName, MetricDirection> = {
  cost: 'lower-is-better',
  throughput: 'higher-is-better',
};

/** The measured phases of one scenario in this run. */
export interface ScenarioSamples {
  name: string;
  phases: PhaseSamples[];
}

/** The largest slowdown tolerated for each metric of one scenario. */
export type SlowdownLimits = Record<GateMetricName, number>;

export interface CompareOptions {
  /** By scenario name. */
  limits: ReadonlyMap<string, SlowdownLimits>;
  alpha?: number;
  confidence?: number;
  resamples?: number;
  /** No further rounds will be measured: straddling intervals are decided now. */
  final: boolean;
}

export interface PerformanceRow {
  scenario: string;
  phase: string;
  metric: GateMetricName;
  maxSlowdown: number;
  samples: { baseline: number; now: number };
  comparison: MetricComparison;
}

/**
 * Compares every measured phase and metric with the baseline. Phases without a baseline are left
 * out: the baseline check (same scenarios, same fingerprints) has ruled them out beforehand.
 */
export function comparePerformance(
  baseline: GateBaseline,
  current: readonly ScenarioSamples[],
  options: CompareOptions,
): PerformanceRow[] {
  const rows: PerformanceRow[] = [];
  for (const scenario of current) {
    const base = baseline.scenarios.find((entry) => entry.name === scenario.name);
    const limits = options.limits.get(scenario.name);
    if (base === undefined || limits === undefined) continue;
    for (const phase of scenario.phases) {
      const basePhase = base.phases.find((entry) => entry.phase === phase.phase);
      if (basePhase === undefined) continue;
      for (const metric of Object.keys(METRIC_DIRECTIONS) as GateMetricName[]) {
        const comparison = compareMetric(phase[metric], basePhase[metric], {
          direction: METRIC_DIRECTIONS[metric],
          maxSlowdown: limits[metric],
          final: options.final,
          ...(options.alpha === undefined ? {} : { alpha: options.alpha }),
          ...(options.confidence === undefined ? {} : { confidence: options.confidence }),
          ...(options.resamples === undefined ? {} : { resamples: options.resamples }),
        });
        rows.push({
          scenario: scenario.name,
          phase: phase.phase,
          metric,
          maxSlowdown: limits[metric],
          samples: { baseline: basePhase[metric].length, now: phase[metric].length },
          comparison,
        });
      }
    }
  }
  return rows;
}

/** Phases with a verdict that more rounds could change: unsure ones, and suspected regressions. */
export function phasesToRemeasure(rows: readonly PerformanceRow[]): { scenario: string; phase: string }[] {
  const wanted = new Map<string, { scenario: string; phase: string }>();
  for (const row of rows) {
    if (row.comparison.verdict === 'unsure' || row.comparison.verdict === 'regression') {
      wanted.set(`${row.scenario}\u0000${row.phase}`, { scenario: row.scenario, phase: row.phase });
    }
  }
  return [...wanted.values()];
}
