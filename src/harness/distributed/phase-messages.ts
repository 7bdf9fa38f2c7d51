import { phaseCounts } from '../../result/phase-counts.ts';
import type { PhaseAgentFigures } from '../../result/result-schema.ts';
import type { PhasePlan } from '../../scenario/phase-plan.ts';
import type { LoadSliceResult } from '../load/load-worker.ts';
import type { PlannedSlice } from '../load/phase-load.ts';
import { buildPhaseResult } from '../metrics/phase-result.ts';

/** `<phase>/plan`: each host's slices of one phase. */
export interface PhaseWork {
  plan: PhasePlan;
  slices: Record<string, PlannedSlice[]>;
}

/** `<phase>/go`: every host starts measuring at this instant (the coordinator's Date.now()). */
export interface PhaseGo {
  startAtEpochMs: number;
}

/** The part of a host's figures it works out itself, from its own slices. */
export type OwnFigures = Pick<
  PhaseAgentFigures,
  | 'calls'
  | 'errors'
  | 'ok'
  | 'dropped'
  | 'offeredPerSecond'
  | 'callsPerSecond'
  | 'clientCounts'
  | 'latency'
  | 'durationMs'
  | 'stopped'
>;

/** `<phase>/done/<name>`: its slices are written (`chunks` pieces under `<phase>/slices/<name>`). */
export interface PhaseDone {
  chunks: number;
  /** Its Date.now() when it heard the go; null when the phase was stopped first. */
  goHeardAtEpochMs: number | null;
  figures: OwnFigures;
}

/** A host's figures from its own slices: the same merge as a phase's, over its threads only. */
export function ownFigures(plan: PhasePlan, slices: readonly LoadSliceResult[]): OwnFigures {
  const phase = buildPhaseResult({ plan, addresses: [], weights: [], slices, serverCounts: [] });
  const counts = phaseCounts(phase);
  return {
    calls: phase.calls,
    errors: phase.errors,
    ok: counts.ok,
    dropped: counts.dropped,
    offeredPerSecond: counts.offeredPerSecond,
    callsPerSecond: phase.callsPerSecond,
    clientCounts: Object.fromEntries(phase.servers.map((server) => [server.address, server.clientCount])),
    latency: phase.latency,
    durationMs: phase.durationMs,
    stopped: slices.some((slice) => slice.stopped),
  };
}
