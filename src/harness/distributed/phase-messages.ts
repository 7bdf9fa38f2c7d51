import { phaseCounts } from '../../result/phase-counts.ts';
import type { PhaseAgentFigures } from '../../result/result-schema.ts';
import type { PhasePlan } from '../../scenario/phase-plan.ts';
import type { PlannedShare } from '../load/load-plan.ts';
import type { LoadShareResult } from '../metrics/phase-recorder.ts';
import { buildPhaseResult } from '../metrics/phase-result.ts';

/** `<phase>/plan`: each host's shares of one phase. */
export interface PhaseWork {
  plan: PhasePlan;
  shares: Record<string, PlannedShare[]>;
}

/** `<phase>/go`: every host starts measuring at this instant (the coordinator's Date.now()). */
export interface PhaseGo {
  startAtEpochMs: number;
}

/** The part of a host's figures it works out itself, from its own shares. */
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

/** `<phase>/done/<name>`: its shares are written (`chunks` pieces under `<phase>/shares/<name>`). */
export interface PhaseDone {
  chunks: number;
  /** Its Date.now() when it heard the go; null when the phase was stopped first. */
  goHeardAtEpochMs: number | null;
  figures: OwnFigures;
}

/** A host's figures from its own shares: the same merge as a phase's, over its threads only. */
export function ownFigures(plan: PhasePlan, shares: readonly LoadShareResult[]): OwnFigures {
  const phase = buildPhaseResult({ plan, addresses: [], weights: [], shares, serverCounts: [] });
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
    stopped: shares.some((share) => share.stopped),
  };
}
