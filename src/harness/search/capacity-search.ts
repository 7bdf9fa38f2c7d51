import { performance } from 'node:perf_hooks';

/** The search's bounds and resolution; the scenario's `load: { model: 'search' }` fields. */
export interface SearchBounds {
  startRatePerSecond: number;
  maxRatePerSecond: number;
  /** Steps in all, repeats included. */
  maxSteps: number;
  /** No step starts once the search has run this long. */
  maxSearchMs: number;
  /** Bisection stops once failing − passing ≤ precision × passing. */
  precision: number;
  /** Extra measurements at the rate found. */
  repeats: number;
}

/** `grow`: the doubling steps; `bisect`: between the last passing and first failing rate; `repeat`: at the rate found. */
export type StepKind = 'grow' | 'bisect' | 'repeat';

export type SearchStopReason = 'converged' | 'max-rate' | 'min-rate' | 'max-steps' | 'max-time' | 'stopped';

/** Below this rate the search gives up: even a trickle fails the objective. */
export const MIN_SEARCH_RATE_PER_SECOND = 1;

export interface SearchStep<T> {
  kind: StepKind;
  offeredRatePerSecond: number;
  passed: boolean;
  measurement: T;
}

export interface SearchOutcome<T> {
  /** The highest rate that passed, or null when none did. */
  foundRatePerSecond: number | null;
  /** The lowest rate that failed above it, or null when none did (the search hit its rate bound). */
  failingRatePerSecond: number | null;
  stoppedBy: SearchStopReason;
  elapsedMs: number;
  steps: SearchStep<T>[];
}

/**
 * Measures one step at `ratePerSecond`; null when the run was stopped before it measured anything,
 * `stopped: true` when it was stopped while measuring (the step is kept, and the search ends).
 */
export type MeasureStep<T> = (
  ratePerSecond: number,
  kind: StepKind,
) => Promise<{ passed: boolean; measurement: T; stopped?: boolean } | null>;

/**
 * The highest rate a system sustains while meeting its objective, found as wrk2 users do by hand
 * but bounded: the rate doubles from `startRatePerSecond` until a step fails (or `maxRatePerSecond`
 * passes), then the bracket [last passing, first failing] is bisected until it is within
 * `precision` of the passing rate; finally the rate found is measured `repeats` more times for its
 * spread. A first step that fails bisects down towards 0 instead. At most `maxSteps` steps (the
 * repeats are kept out of the bisection's share), and no step starts after `maxSearchMs`.
 * Assumes latency rises with rate; a noisy step only narrows the bracket on the wrong side, which
 * the repeats at the end show.
 */
export async function searchCapacity<T>(
  bounds: SearchBounds,
  measure: MeasureStep<T>,
  now: () => number = () => performance.now(),
): Promise<SearchOutcome<T>> {
  const startedMs = now();
  const steps: SearchStep<T>[] = [];
  const searchSteps = Math.max(1, bounds.maxSteps - bounds.repeats);
  let passing: number | null = null;
  let failing: number | null = null;

  const run = async (rate: number, kind: StepKind): Promise<boolean | null> => {
    const step = await measure(rate, kind);
    if (step === null) return null;
    steps.push({ kind, offeredRatePerSecond: rate, passed: step.passed, measurement: step.measurement });
    return step.stopped === true ? null : step.passed;
  };
  const budgetLeft = (limit: number): SearchStopReason | null => {
    if (steps.length >= limit) return 'max-steps';
    if (now() - startedMs >= bounds.maxSearchMs) return 'max-time';
    return null;
  };
  const finish = (stoppedBy: SearchStopReason): SearchOutcome<T> => ({
    foundRatePerSecond: passing,
    failingRatePerSecond: failing,
    stoppedBy,
    elapsedMs: now() - startedMs,
    steps,
  });

  let stoppedBy: SearchStopReason | null = null;
  let rate = Math.min(bounds.startRatePerSecond, bounds.maxRatePerSecond);
  while (stoppedBy === null && failing === null) {
    stoppedBy = budgetLeft(searchSteps);
    if (stoppedBy !== null) break;
    const passed = await run(rate, 'grow');
    if (passed === null) return finish('stopped');
    if (!passed) failing = rate;
    else {
      passing = rate;
      if (rate >= bounds.maxRatePerSecond) stoppedBy = 'max-rate';
      rate = Math.min(rate * 2, bounds.maxRatePerSecond);
    }
  }
  while (stoppedBy === null && failing !== null) {
    if (passing !== null && failing - passing <= bounds.precision * passing) stoppedBy = 'converged';
    else if (passing === null && failing < MIN_SEARCH_RATE_PER_SECOND) stoppedBy = 'min-rate';
    else stoppedBy = budgetLeft(searchSteps);
    if (stoppedBy !== null) break;
    const middle = ((passing ?? 0) + failing) / 2;
    const passed = await run(middle, 'bisect');
    if (passed === null) return finish('stopped');
    if (passed) passing = middle;
    else failing = middle;
  }
  if (passing !== null) {
    for (let repeat = 0; repeat < bounds.repeats; repeat++) {
      if (budgetLeft(bounds.maxSteps) !== null) break;
      if ((await run(passing, 'repeat')) === null) return finish('stopped');
    }
  }
  return finish(stoppedBy ?? 'max-steps');
}
