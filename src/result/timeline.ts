/**
 * How long a timeline may grow. A load thread keeps one encoded histogram per interval for the
 * phase and one per server per interval; when a phase outlasts its cap of intervals, neighbouring
 * intervals are merged two by two and the step doubles (100 ms, 200 ms, 400 ms, ...), so memory
 * stays bounded however long the run while short runs keep the fine step.
 */

/** The timeline's step when the scenario names none (`timelineIntervalMs`). */
export const DEFAULT_TIMELINE_INTERVAL_MS = 100;
/** Interval histograms (the phase's and each server's) one load thread keeps for one phase at most. */
export const MAX_TIMELINE_HISTOGRAMS = 8_000;
/** Intervals a phase keeps at most, with few servers: 60 s at 100 ms. */
export const MAX_TIMELINE_INTERVALS = 600;
/** Intervals a phase keeps at least, with many servers. */
export const MIN_TIMELINE_INTERVALS = 60;
/** What one interval histogram is budgeted at in memory: its encoded text (about 900 characters for a spread of 2,000 values) and its entry. */
export const TIMELINE_HISTOGRAM_BYTES = 2048;

/** The most intervals a phase keeps with `servers` servers, before neighbours are merged. */
export function timelineIntervalCap(servers: number): number {
  const byHistograms = Math.floor(MAX_TIMELINE_HISTOGRAMS / (servers + 1));
  return Math.max(MIN_TIMELINE_INTERVALS, Math.min(MAX_TIMELINE_INTERVALS, byHistograms));
}
