import type { PhaseResult } from '../../result/result-schema.ts';
import type { SearchStepRecord } from '../../result/search-schema.ts';
import { compare, readMetric, type Threshold } from '../../scenario/threshold.ts';
import { formatRate } from '../../util/format.ts';
import { msToSeconds, usToMs } from '../../util/units.ts';
import { DROPPED_CALL_CODE } from '../errors.ts';
import type { StepKind } from './capacity-search.ts';

export interface StepJudgement {
  objectives: readonly Threshold[];
  /** The achieved rate must be at least this fraction of the offered one. */
  minAchievedFraction: number;
  stepDurationMs: number;
}

/**
 * The time the step's calls took to be served: from its start to the last answer, less the median
 * latency (in a steady state the last answer trails the window by about that much). A server
 * falling behind answers its last calls later still, which stretches the window; never shorter than
 * the step itself.
 */
function achievedWindowMs(phase: PhaseResult, stepDurationMs: number): number {
  return Math.max(stepDurationMs, phase.durationMs - usToMs(phase.latency.summary.p50Us));
}

/**
 * A step passes when every objective holds and the rate achieved is close enough to the rate
 * offered: a load generator or server that cannot keep up shows as calls dropped at maxInFlight
 * or answers that trail past the window, and must not pass for having measured fewer calls.
 */
export function judgeStep(
  phase: PhaseResult,
  kind: StepKind,
  offeredRatePerSecond: number,
  judgement: StepJudgement,
): SearchStepRecord {
  const sent = phase.calls - (phase.errorsByCode[DROPPED_CALL_CODE] ?? 0);
  const achievedRatePerSecond = sent / msToSeconds(achievedWindowMs(phase, judgement.stepDurationMs));
  const objectives = judgement.objectives.map((objective) => {
    const actual = readMetric(phase, objective);
    return {
      expression: objective.expression,
      actual,
      passed: actual !== null && compare(actual, objective.operator, objective.limit),
    };
  });
  const failures = objectives.filter((outcome) => !outcome.passed).map((outcome) => outcome.expression);
  if (achievedRatePerSecond < judgement.minAchievedFraction * offeredRatePerSecond) {
    failures.push(
      `achieved ${formatRate(achievedRatePerSecond)}/s of ${formatRate(offeredRatePerSecond)}/s offered`,
    );
  }
  const summary = phase.latency.summary;
  return {
    kind,
    offeredRatePerSecond,
    achievedRatePerSecond,
    durationMs: phase.durationMs,
    calls: phase.calls,
    errors: phase.errors,
    p50Us: summary.p50Us,
    p99Us: summary.p99Us,
    maxUs: summary.maxUs,
    objectives,
    passed: failures.length === 0,
    failure: failures.length === 0 ? null : `failed ${failures.join('; ')}`,
  };
}
