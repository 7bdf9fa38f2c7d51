import { msToSeconds } from '../util/units.ts';
import type { PhaseResult } from './result-schema.ts';

/** The open model's code for a call due while too many were pending, never sent. */
const DROPPED_CODE = 'ERR_DROPPED';

/** A phase's calls split apart: what was offered, what was achieved, ok, failed and dropped. */
export interface PhaseCounts {
  /** Calls offered: made, or due and dropped. */
  offered: number;
  offeredPerSecond: number;
  /** Achieved: calls that completed, ok or failed, per second. */
  achievedPerSecond: number;
  ok: number;
  /** Calls made that failed (dropped ones are not among them). */
  failed: number;
  /** Failed calls by code, dropped ones left out. */
  failedByCode: Record<string, number>;
  dropped: number;
}

/** One reading of a phase's counts, for results written before `ok`, `dropped` and `offeredPerSecond` existed too. */
export function phaseCounts(phase: PhaseResult): PhaseCounts {
  const dropped = phase.dropped ?? phase.errorsByCode[DROPPED_CODE] ?? 0;
  const { [DROPPED_CODE]: _dropped, ...failedByCode } = phase.errorsByCode;
  const seconds = msToSeconds(phase.durationMs);
  return {
    offered: phase.calls,
    offeredPerSecond: phase.offeredPerSecond ?? (seconds > 0 ? phase.calls / seconds : 0),
    achievedPerSecond: phase.callsPerSecond,
    ok: phase.ok ?? phase.calls - phase.errors,
    failed: phase.errors - dropped,
    failedByCode,
    dropped,
  };
}
