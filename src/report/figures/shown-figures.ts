import type { PhaseAgentFigures, PhaseResult } from '../../result/result-schema.ts';

/** What the report shows where there is no figure: a field an older result lacks, an empty histogram. */
export const NO_FIGURE = '–';

/** Fairness says something only when there are servers to compare: one server has nothing to share. */
export function showsFairness(phase: PhaseResult): boolean {
  return phase.fairness !== null && phase.servers.length > 1;
}
/**
 * How far from the planned instant a host started, on the coordinator's clock: it waited for the
 * instant on its own clock (off by its clock offset), or started at once when it heard the go late.
 */
export function startSkewMs(agent: PhaseAgentFigures): number {
  const lateMs = Math.max(0, agent.goHeardAtEpochMs - agent.startAtEpochMs);
  return Math.abs(lateMs + agent.clockOffsetMs);
}
