import type { PhaseResult } from '../../result/result-schema.ts';
import type { CapacitySearchRecord, SearchStepRecord } from '../../result/search-schema.ts';
import type { ResolvedScenario } from '../../scenario/scenario-schema.ts';
import { parseThreshold } from '../../scenario/threshold.ts';
import { quantileSorted, sortAscending } from '../../stats/descriptive.ts';
import { formatRate } from '../../util/format.ts';
import { msToSeconds, secondsToMs } from '../../util/units.ts';
import { type SearchOutcome, type StepKind, searchCapacity } from './capacity-search.ts';
import { judgeStep, type StepJudgement } from './step-verdict.ts';

export type SearchLoad = Extract<ResolvedScenario['load'], { model: 'search' }>;

/** Runs one measured phase of the scenario given (the runner's phase machinery), labelled for progress; null when stopped. */
export type RunStepPhase = (step: ResolvedScenario, label: string) => Promise<PhaseResult | null>;

/** Told of each step as it ends: its record and its number, from 1. */
export type OnSearchStep = (step: SearchStepRecord, number: number) => void;

/** A step lasts at most this many times stepDurationMs, however few calls it makes. */
const MAX_STEP_STRETCH = 10;

/** How long a step at `ratePerSecond` is measured: stepDurationMs, or long enough for minCallsPerStep calls. */
export function stepDurationMs(load: SearchLoad, ratePerSecond: number): number {
  const forCallsMs = Math.ceil(secondsToMs(load.minCallsPerStep / ratePerSecond));
  return Math.max(load.stepDurationMs, Math.min(forCallsMs, MAX_STEP_STRETCH * load.stepDurationMs));
}

/**
 * A search step as a phase of its own: the open model at `ratePerSecond`, measured for the step's
 * duration after its warm-up, without the scenario's call budget.
 */
export function stepScenario(
  scenario: ResolvedScenario,
  load: SearchLoad,
  ratePerSecond: number,
): ResolvedScenario {
  const { calls: _budget, ...rest } = scenario;
  return {
    ...rest,
    load: { model: 'open', ratePerSecond, maxInFlight: load.maxInFlight },
    durationMs: stepDurationMs(load, ratePerSecond),
    warmupMs: load.stepWarmupMs,
  };
}

/**
 * A phase that is a capacity search: every step runs through `runStep`, and the phase's figures
 * are those of the step that found the rate (or, when none passed, of the first step), with the
 * search's outcome and every step beside them.
 */
export async function runSearchPhase(
  scenario: ResolvedScenario,
  load: SearchLoad,
  label: string,
  runStep: RunStepPhase,
  onStep?: OnSearchStep,
): Promise<PhaseResult | null> {
  const judgement = {
    objectives: load.slo.map(parseThreshold),
    minAchievedFraction: load.minAchievedFraction,
  };
  let taken = 0;
  const outcome = await searchCapacity(load, async (ratePerSecond, kind) => {
    const stepLabel = `${label} ${kind} ${formatRate(ratePerSecond)}/s`;
    const phase = await runStep(stepScenario(scenario, load, ratePerSecond), stepLabel);
    if (phase === null) return null;
    const stopped = phase.interrupted === true;
    const step = stopped
      ? interruptedStep(phase, kind, ratePerSecond, judgement)
      : judgeStep(phase, kind, ratePerSecond, {
          ...judgement,
          stepDurationMs: stepDurationMs(load, ratePerSecond),
        });
    onStep?.(step, ++taken);
    return { passed: step.passed, stopped, measurement: { phase, step } };
  });
  const steps = outcome.steps.map((step) => step.measurement);
  if (steps.length === 0) return null;
  const found = steps.find(
    (step) => step.step.passed && step.step.offeredRatePerSecond === outcome.foundRatePerSecond,
  );
  const figures = (found ?? steps[0]!).phase;
  return {
    ...figures,
    label,
    ...(outcome.stoppedBy === 'stopped' ? { interrupted: true } : {}),
    search: searchRecord(
      load,
      outcome,
      steps.map((step) => step.step),
    ),
  };
}

/**
 * A step the run was stopped in: its figures over the time it measured, not judged (a shortened
 * step would pass or fail for the wrong reason), and never the rate found.
 */
function interruptedStep(
  phase: PhaseResult,
  kind: StepKind,
  offeredRatePerSecond: number,
  judgement: Omit<StepJudgement, 'stepDurationMs'>,
): SearchStepRecord {
  const step = judgeStep(phase, kind, offeredRatePerSecond, {
    ...judgement,
    stepDurationMs: phase.durationMs,
  });
  return {
    ...step,
    passed: false,
    failure: `interrupted after ${msToSeconds(phase.durationMs).toFixed(1)}s`,
    interrupted: true,
  };
}

function searchRecord(
  load: SearchLoad,
  outcome: SearchOutcome<unknown>,
  steps: SearchStepRecord[],
): CapacitySearchRecord {
  const atFound = steps.filter((step) => step.offeredRatePerSecond === outcome.foundRatePerSecond);
  return {
    slo: load.slo,
    foundRatePerSecond: outcome.foundRatePerSecond,
    failingRatePerSecond: outcome.failingRatePerSecond,
    stoppedBy: outcome.stoppedBy,
    elapsedMs: outcome.elapsedMs,
    maxSteps: load.maxSteps,
    maxSearchMs: load.maxSearchMs,
    spread:
      atFound.length === 0
        ? null
        : {
            steps: atFound.length,
            passed: atFound.filter((step) => step.passed).length,
            achievedRatePerSecond: spreadOf(atFound.map((step) => step.achievedRatePerSecond)),
            p99Us: spreadOf(atFound.map((step) => step.p99Us)),
          },
    steps,
  };
}

function spreadOf(values: readonly number[]): { min: number; median: number; max: number } {
  const sorted = sortAscending(values);
  return { min: sorted[0]!, median: quantileSorted(sorted, 0.5), max: sorted[sorted.length - 1]! };
}
