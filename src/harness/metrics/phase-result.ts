import { mergeEncoded, toHistogramRecord } from '../../result/histogram.ts';
import type { PhaseResult, ServerShare, TimelinePoint } from '../../result/result-schema.ts';
import type { PhasePlan } from '../../scenario/phase-plan.ts';
import { msToSeconds } from '../../util/units.ts';
import type { LoadSliceResult } from '../load/load-worker.ts';
import { computeFairness, expectedSharesFor } from './fairness.ts';

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
  const timeline = mergeTimeline(slices, addresses);
  const overall = mergeEncoded(slices.flatMap((slice) => slice.timeline.map((second) => second.encoded)));
  const expectedShares =
    plan.mode === 'weighted-roundrobin'
      ? expectedSharesFor(weights)
      : expectedSharesFor(weights.map(() => 1));
  const totalServerCalls = sum(serverCounts);
  const servers: ServerShare[] = addresses.map((address, index) => {
    const clientCount = sum(slices.map((slice) => countFor(slice, address)));
    const latency = mergeEncoded(
      slices.flatMap((slice) => {
        const at = slice.addresses.indexOf(address);
        return at === -1 ? [] : [slice.serverHistograms[at]!];
      }),
    );
    const serverCount = serverCounts[index] ?? 0;
    return {
      address,
      weight: weights[index] ?? 1,
      clientCount,
      serverCount,
      share: totalServerCalls === 0 ? 0 : serverCount / totalServerCalls,
      expectedShare: expectedShares[index] ?? 0,
      latency: toHistogramRecord(latency),
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
    events: slices.flatMap((slice) => slice.events).sort((a, b) => a.atMs - b.atMs),
  };
}

/** Every second from the first to the last, empty ones included (a stall shows as a gap in calls). */
function mergeTimeline(slices: readonly LoadSliceResult[], addresses: readonly string[]): TimelinePoint[] {
  const bySecond = new Map<
    number,
    { calls: number; errors: number; encoded: string[]; serverCalls: number[] }
  >();
  for (const slice of slices) {
    // A thread's own server order may differ from the run's: map it once per slice.
    const toRunIndex = slice.addresses.map((address) => addresses.indexOf(address));
    for (const { second, calls, errors, encoded, serverCalls } of slice.timeline) {
      let entry = bySecond.get(second);
      if (entry === undefined) {
        entry = { calls: 0, errors: 0, encoded: [], serverCalls: addresses.map(() => 0) };
        bySecond.set(second, entry);
      }
      entry.calls += calls;
      entry.errors += errors;
      entry.encoded.push(encoded);
      serverCalls.forEach((count, index) => {
        const at = toRunIndex[index]!;
        if (at !== -1) entry.serverCalls[at]! += count;
      });
    }
  }
  const last = Math.max(-1, ...bySecond.keys());
  const points: TimelinePoint[] = [];
  for (let second = 0; second <= last; second++) {
    const entry = bySecond.get(second);
    if (entry === undefined) {
      points.push({ second, calls: 0, errors: 0, p99Us: 0, serverCalls: addresses.map(() => 0) });
      continue;
    }
    const histogram = mergeEncoded(entry.encoded);
    points.push({
      second,
      calls: entry.calls,
      errors: entry.errors,
      p99Us: histogram.totalCount === 0 ? 0 : histogram.getValueAtPercentile(99),
      serverCalls: entry.serverCalls,
    });
  }
  return points;
}

function countFor(slice: LoadSliceResult, address: string): number {
  const at = slice.addresses.indexOf(address);
  return at === -1 ? 0 : slice.clientCounts[at]!;
}

function sum(values: readonly number[]): number {
  let total = 0;
  for (const value of values) total += value;
  return total;
}
