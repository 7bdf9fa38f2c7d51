import type { PhaseResult, TimelineEntry } from '../../result/result-schema.ts';
import { msToSeconds } from '../../util/units.ts';
import { decodeHistogram } from '../percentile-curve.ts';

/**
 * A phase's figures interval by interval: the samples a comparison judges noise by. Only whole
 * intervals count: the last one, cut short by the end of the phase, would weigh a sliver of time
 * like a whole step.
 */
export function wholeIntervals(timeline: readonly TimelineEntry[]): TimelineEntry[] {
  const stepMs = Math.max(0, ...timeline.map((entry) => entry.durationMs));
  return timeline.filter((entry) => entry.durationMs === stepMs && stepMs > 0);
}

/** Calls completed per second in each whole interval, a stalled one (0) included; dropped calls were never made. */
export function intervalRates(phase: PhaseResult): number[] {
  return wholeIntervals(phase.timeline).map(
    (entry) => (entry.calls - (entry.errorsByCode.ERR_DROPPED ?? 0)) / msToSeconds(entry.durationMs),
  );
}

/** Errors per second in each whole interval. */
export function intervalErrorRates(phase: PhaseResult): number[] {
  return wholeIntervals(phase.timeline).map((entry) => entry.errors / msToSeconds(entry.durationMs));
}

/** A latency figure the entries hold, for each whole interval with successful calls. */
export function intervalLatencies(phase: PhaseResult, key: 'p50Us' | 'p99Us' | 'maxUs'): number[] {
  return withLatencies(phase).map(({ entry }) => entry[key]);
}

/** Any percentile (0–100) of each whole interval with successful calls, read from its histogram. */
export function intervalPercentiles(phase: PhaseResult, percentile: number): number[] {
  return withLatencies(phase).map(({ entry, index }) => {
    const histogram = decodeHistogram(entry.encoded, `${phase.label}: timeline[${index}].encoded`);
    const value = histogram.getValueAtPercentile(percentile);
    histogram.destroy();
    return value;
  });
}

function withLatencies(phase: PhaseResult): { entry: TimelineEntry; index: number }[] {
  const whole = new Set(wholeIntervals(phase.timeline));
  return phase.timeline.flatMap((entry, index) =>
    whole.has(entry) && entry.calls > entry.errors ? [{ entry, index }] : [],
  );
}
