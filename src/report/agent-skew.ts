import type { PhaseAgentFigures } from '../result/result-schema.ts';

/**
 * How far from the planned instant a host started, on the coordinator's clock: it waited for the
 * instant on its own clock (off by its clock offset), or started at once when it heard the go late.
 */
export function startSkewMs(agent: PhaseAgentFigures): number {
  const lateMs = Math.max(0, agent.goHeardAtEpochMs - agent.startAtEpochMs);
  return Math.abs(lateMs + agent.clockOffsetMs);
}
