import { mergeEncoded, toHistogramRecord } from '../../result/histogram.ts';
import type { PhaseResult, ServerShare, TimelinePoint } from '../../result/result-schema.ts';
import type { PhasePlan } from '../../scenario/phase-plan.ts';
import { msToSeconds } from '../../util/units.ts';
import type { LoadSliceResult } from '../load/load-worker.ts';
import type { MembershipChange } from '../targets/phase-servers.ts';
import { computeFairness, expectedSharesFor } from './fairness.ts';

export interface PhaseInputs {
  plan: PhasePlan;
  /** Server addresses by index. */
  addresses: readonly string[];
  weights: readonly number[];
  /** What the load threads recorded. */
  slices: readonly LoadSliceResult[];
  /** What each server counted, by index: the ground truth; null where it could not be read. */
  serverCounts: readonly (number | null)[];
  /** Servers that joined or left the target's list during the phase. */
  membership?: readonly MembershipChange[];
}

/**
 * Merges the load threads' records of a phase, through their encoded histograms, and sets the
 * servers' own counts beside the clients' to judge fairness.
 */
export function buildPhaseResult(inputs: PhaseInputs): PhaseResult {
  const { plan, weights, slices } = inputs;
  // Servers found during the phase (registry, etcd) may be known only to the load threads that called them.
  const addresses = [...new Set([...inputs.addresses, ...slices.flatMap((slice) => slice.addresses)])];
  // Shares need every server's count: with one missing, the clients' counts stand in for all.
  const counted = addresses.every((_, index) => typeof inputs.serverCounts[index] === 'number');
  const errorSamples: Record<string, string> = {};
  for (const slice of slices) {
    for (const [code, message] of Object.entries(slice.errorSamples)) errorSamples[code] ??= message;
  }
  const clientCounts = addresses.map((address) => sum(slices.map((slice) => countFor(slice, address))));
  // Without every server's own count, shares and fairness are the clients' view, and the result says so.
  const serverCounts = addresses.map((_, index) => inputs.serverCounts[index] ?? null);
  const sharedCounts = addresses.map((_, index) =>
    counted ? (serverCounts[index] ?? 0) : clientCounts[index]!,
  );
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
  // External servers have no weights: each is expected to take an even share.
  const serverWeights = addresses.map((_, index) => weights[index] ?? 1);
  const expectedShares =
    plan.mode === 'weighted-roundrobin'
      ? expectedSharesFor(serverWeights)
      : expectedSharesFor(serverWeights.map(() => 1));
  const totalCounted = sum(sharedCounts);
  const servers: ServerShare[] = addresses.map((address, index) => {
    const clientCount = clientCounts[index]!;
    const latency = mergeEncoded(
      slices.flatMap((slice) => {
        const at = slice.addresses.indexOf(address);
        return at === -1 ? [] : [slice.serverHistograms[at]!];
      }),
    );
    return {
      address,
      weight: serverWeights[index]!,
      clientCount,
      serverCount: serverCounts[index] ?? null,
      share: totalCounted === 0 ? 0 : sharedCounts[index]! / totalCounted,
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
    errorSamples,
    callsPerSecond: durationMs > 0 ? calls / msToSeconds(durationMs) : 0,
    latency: toHistogramRecord(overall),
    servers,
    fairness: computeFairness(sharedCounts, expectedShares),
    countsFrom: counted ? 'servers' : 'clients',
    membership: [...(inputs.membership ?? [])],
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
