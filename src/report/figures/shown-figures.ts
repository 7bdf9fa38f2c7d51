import type { PhaseResult } from '../../result/result-schema.ts';

/** What the report shows where there is no figure: a field an older result lacks, an empty histogram. */
export const NO_FIGURE = '–';

/** Fairness says something only when there are servers to compare: one server has nothing to share. */
export function showsFairness(phase: PhaseResult): boolean {
  return phase.fairness !== null && phase.servers.length > 1;
}
