import { mergeEncoded, toHistogramRecord } from '../../result/histogram.ts';
import type { PhaseResult, ServerShare } from '../../result/result-schema.ts';
import type { PhasePlan } from '../../scenario/phase-plan.ts';
import { msToSeconds } from '../../util/units.ts';
import type { LoadSliceResult } from '../load/load-worker.ts';
import { computeFairness, expectedSharesFor } from './fairness.ts';
import { mergeSliceTimelines } from './timeline-merge.ts';

export interface PhaseInputs {
  plan: PhasePlan;
  /** Server addresses by index. */
  addresses: readonly string[];
  weights: readonly number[];
  /** What the load threads recorded. */
  slices: readonly LoadSliceResult[];
  /** What each server counted, by index: the ground truth. */
  serverCounts: readonly number[];
}

/**
 * Merges the load threads' records of a phase, through their encoded histograms, and sets the
 * servers' own counts beside the clients' to judge fairness.
 */
export function buildPhaseResult(inputs: PhaseInputs): PhaseResult {
  const { plan, addresses, weights, slices, serverCounts } = inputs;
  const calls = sum(slices.map((slice) => slice.calls));
  const errors = sum(slices.map((slice) => slice.errors));
  const errorsByCode: Record<string, number> = {};
  for (const slice of slices) {
    for (const [code, count] of Object.entries(slice.errorsByCode))
      errorsByCode[code] = (errorsByCode[code] ?? 0) + count;
  }
  const durationMs = Math.max(0, ...slices.map((slice) => slice.elapsedMs));
  const { timeline, serverTimelines } = mergeSliceTimelines(slices, addresses, durationMs);
  const overall = mergeEncoded(timeline.map((entry) => entry.encoded));
  const expectedShares =
    plan.mode === 'weighted-roundrobin'
      ? expectedSharesFor(weights)
      : expectedSharesFor(weights.map(() => 1));
  const totalServerCalls = sum(serverCounts);
  const servers: ServerShare[] = addresses.map((address, index) => {
    const serverTimeline = serverTimelines[index]!;
    const serverCount = serverCounts[index] ?? 0;
    return {
      address,
      weight: weights[index] ?? 1,
      clientCount: sum(slices.map((slice) => countFor(slice, slice.clientCounts, address))),
      errors: sum(slices.map((slice) => countFor(slice, slice.serverErrors, address))),
      serverCount,
      share: totalServerCalls === 0 ? 0 : serverCount / totalServerCalls,
      expectedShare: expectedShares[index] ?? 0,
      latency: toHistogramRecord(mergeEncoded(serverTimeline.map((entry) => entry.encoded))),
      timeline: serverTimeline,
    };
  });
  return {
    label: plan.label,
    mode: plan.mode,
    reuseClients: plan.reuseClients,
    durationMs,
    calls,
    errors,
    errorsByCode,
    callsPerSecond: durationMs > 0 ? calls / msToSeconds(durationMs) : 0,
    latency: toHistogramRecord(overall),
    servers,
    fairness: computeFairness([...serverCounts], expectedShares),
    timeline,
  };
}

function countFor(slice: LoadSliceResult, counts: readonly number[], address: string): number {
  const at = slice.addresses.indexOf(address);
  return at === -1 ? 0 : (counts[at] ?? 0);
}

function sum(values: readonly number[]): number {
  let total = 0;
  for (const value of values) total += value;
  return total;
}
