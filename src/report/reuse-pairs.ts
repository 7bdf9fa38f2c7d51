import type { PhaseResult } from '../result/result-schema.ts';

/** One cached-clients phase against the dial-per-call phase it is compared with. */
export interface ReusePair {
  cachedIndex: number;
  dialIndex: number;
  /** Calls per second with cached clients over calls per second when dialing per call. */
  callsPerSecondRatio: number | null;
  /** Dial-per-call p50 over cached p50: how many times slower the median call is. */
  p50Ratio: number | null;
  p99Ratio: number | null;
}

function ratio(numerator: number, denominator: number): number | null {
  return denominator > 0 ? numerator / denominator : null;
}

/**
 * Pairs each phase that dials per call with a phase that reuses clients: the one of the same
 * select mode when there is one, else the first. Empty when the phases do not differ in reuseClients.
 */
export function findReusePairs(phases: readonly PhaseResult[]): ReusePair[] {
  const cached = phases.flatMap((phase, index) => (phase.reuseClients ? [index] : []));
  const dialed = phases.flatMap((phase, index) => (phase.reuseClients ? [] : [index]));
  if (cached.length === 0 || dialed.length === 0) return [];
  return dialed.map((dialIndex) => {
    const dial = phases[dialIndex]!;
    const cachedIndex = cached.find((index) => phases[index]!.mode === dial.mode) ?? cached[0]!;
    const hit = phases[cachedIndex]!;
    return {
      cachedIndex,
      dialIndex,
      callsPerSecondRatio: ratio(hit.callsPerSecond, dial.callsPerSecond),
      p50Ratio: ratio(dial.latency.summary.p50Us, hit.latency.summary.p50Us),
      p99Ratio: ratio(dial.latency.summary.p99Us, hit.latency.summary.p99Us),
    };
  });
}
