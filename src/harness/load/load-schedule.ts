import { msToSeconds, secondsToMs } from '../../util/units.ts';

/** One stage of a ramp: over `durationMs`, the load moves linearly to `target`. */
export interface RampStage {
  durationMs: number;
  target: number;
}

/**
 * A load level over time, as k6's ramping-vus and ramping-arrival-rate executors define it: it is
 * `start` at time 0, each stage moves linearly from the previous stage's target (the first from
 * `start`) to its own over its duration, and after the last stage the level stays at that stage's
 * target. A constant load is `{ start: level, stages: [] }`.
 */
export interface RampSchedule {
  start: number;
  stages: readonly RampStage[];
}

/** The level at `atMs` from the phase start: the linear interpolation within its stage. */
export function levelAt(schedule: RampSchedule, atMs: number): number {
  let from = schedule.start;
  let stageStartMs = 0;
  for (const { durationMs, target } of schedule.stages) {
    if (atMs < stageStartMs + durationMs) {
      return from + ((target - from) * Math.max(0, atMs - stageStartMs)) / durationMs;
    }
    from = target;
    stageStartMs += durationMs;
  }
  return from;
}

/** The sum of the stages' durations. */
export function scheduleDurationMs(schedule: RampSchedule): number {
  let totalMs = 0;
  for (const stage of schedule.stages) totalMs += stage.durationMs;
  return totalMs;
}

/** The highest level the schedule reaches. */
export function peakLevel(schedule: RampSchedule): number {
  return Math.max(schedule.start, ...schedule.stages.map((stage) => stage.target));
}

/**
 * Closed model: callers running at `atMs`. k6 starts a VU when the ramp's line reaches its number;
 * here caller i (from 0) runs while the level is at least i + 1, so the count is the level rounded down.
 */
export function concurrencyAt(schedule: RampSchedule, atMs: number): number {
  return Math.floor(levelAt(schedule, atMs) + 1e-9);
}

/**
 * Closed model: the first instant at or after `fromMs` at which caller `caller` (from 0) runs, or
 * Infinity when the schedule never lets it run again.
 */
export function nextRunMs(schedule: RampSchedule, caller: number, fromMs: number): number {
  const needed = caller + 1;
  if (concurrencyAt(schedule, fromMs) >= needed) return fromMs;
  let from = schedule.start;
  let stageStartMs = 0;
  for (const { durationMs, target } of schedule.stages) {
    const stageEndMs = stageStartMs + durationMs;
    if (stageEndMs > fromMs && target >= needed && target > from) {
      // Rising through `needed` within this stage: where the line crosses it.
      const crossMs = stageStartMs + ((needed - from) / (target - from)) * durationMs;
      if (crossMs <= stageEndMs) return Math.max(fromMs, crossMs);
    }
    from = target;
    stageStartMs = stageEndMs;
  }
  return from >= needed ? Math.max(fromMs, stageStartMs) : Number.POSITIVE_INFINITY;
}

/**
 * Open model: the intended start of every call, from a rate schedule (calls per second).
 * The number of calls due by time t is the integral of the rate from 0 to t; call k (from 0) is due
 * when that integral reaches k, so call 0 leaves at the start and a constant rate r spaces calls
 * 1/r apart. A ramp's calls come closer together as the rate rises. Calls must be asked for in
 * increasing order (the cursor only moves forward), which keeps each one O(1) on the hot path.
 */
export class ArrivalSchedule {
  readonly #segments: {
    startMs: number;
    durationMs: number;
    fromRate: number;
    toRate: number;
    callsBefore: number;
  }[] = [];
  readonly #endMs: number;
  readonly #endRate: number;
  readonly #callsAtEnd: number;
  #cursor = 0;

  constructor(schedule: RampSchedule) {
    let from = schedule.start;
    let startMs = 0;
    let calls = 0;
    for (const { durationMs, target } of schedule.stages) {
      this.#segments.push({ startMs, durationMs, fromRate: from, toRate: target, callsBefore: calls });
      calls += (msToSeconds(durationMs) * (from + target)) / 2;
      startMs += durationMs;
      from = target;
    }
    this.#endMs = startMs;
    this.#endRate = from;
    this.#callsAtEnd = calls;
  }

  /** Milliseconds from the phase start at which call `index` is due; Infinity when it never is. */
  dueMs(index: number): number {
    const segments = this.#segments;
    while (this.#cursor < segments.length) {
      const segment = segments[this.#cursor]!;
      const durationSeconds = msToSeconds(segment.durationMs);
      const callsInSegment = (durationSeconds * (segment.fromRate + segment.toRate)) / 2;
      const into = index - segment.callsBefore;
      if (into < callsInSegment) {
        return (
          segment.startMs +
          secondsToMs(secondsToReach(into, segment.fromRate, segment.toRate, durationSeconds))
        );
      }
      this.#cursor++;
    }
    if (this.#endRate <= 0) return Number.POSITIVE_INFINITY;
    return this.#endMs + secondsToMs((index - this.#callsAtEnd) / this.#endRate);
  }
}

/**
 * Seconds into a linear ramp from `fromRate` to `toRate` over `durationSeconds` until `calls` calls
 * are due: the root of fromRate·τ + (toRate − fromRate)/(2·duration)·τ² = calls, written in the form
 * that stays exact when the ramp is flat or falling.
 */
function secondsToReach(calls: number, fromRate: number, toRate: number, durationSeconds: number): number {
  if (calls <= 0) return 0;
  const curvature = (toRate - fromRate) / (2 * durationSeconds);
  return (2 * calls) / (fromRate + Math.sqrt(fromRate * fromRate + 4 * curvature * calls));
}
