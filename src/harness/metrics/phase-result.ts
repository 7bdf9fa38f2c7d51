import { mergeEncoded, toHistogramRecord } from '../../result/histogram.ts';
import type { PhaseResult, ServerShare } from '../../result/result-schema.ts';
import type { PhasePlan } from '../../scenario/phase-plan.ts';
import { msToSeconds } from '../../util/units.ts';
import { DROPPED_CALL_CODE } from '../errors.ts';
import { computeFairness, expectedSharesFor } from './fairness.ts';
import type { LoadShareResult } from './phase-recorder.ts';
import { mergeShareTimelines } from './timeline-merge.ts';

export interface PhaseInputs {
  plan: PhasePlan;
  /** Server addresses by index. */
  addresses: readonly string[];
  weights: readonly number[];
  /** What the load threads recorded. */
  shares: readonly LoadShareResult[];
  /** What each server counted, by index: the ground truth; null where it could not be read. */
  serverCounts: readonly (number | null)[];
  /** Servers that joined or left the target's list during the phase. */
  membership?: Readonly<NonNullable<PhaseResult['membership']>>;
}

/**
 * Merges the load threads' records of a phase, through their encoded histograms, and sets the
 * servers' own counts beside the clients' to judge fairness.
 */
export function buildPhaseResult(inputs: PhaseInputs): PhaseResult {
  const { plan, weights, shares } = inputs;
  // Servers found during the phase (registry, etcd) may be known only to the load threads that called them.
  const addresses = [...new Set([...inputs.addresses, ...shares.flatMap((share) => share.addresses)])];
  // Shares need every server's count: with one missing, the clients' counts stand in for all.
  const counted = addresses.every((_, index) => typeof inputs.serverCounts[index] === 'number');
  const errorSamples: Record<string, string> = {};
  for (const share of shares) {
    for (const [code, message] of Object.entries(share.errorSamples)) errorSamples[code] ??= message;
  }
  const clientCounts = addresses.map((address) =>
    sum(shares.map((share) => countFor(share, share.clientCounts, address))),
  );
  // Without every server's own count, shares and fairness are the clients' view, and the result says so.
  const serverCounts = addresses.map((_, index) => inputs.serverCounts[index] ?? null);
  const sharedCounts = addresses.map((_, index) =>
    counted ? (serverCounts[index] ?? 0) : clientCounts[index]!,
  );
  const calls = sum(shares.map((share) => share.calls));
  const errors = sum(shares.map((share) => share.errors));
  const errorsByCode: Record<string, number> = {};
  for (const share of shares) {
    for (const [code, count] of Object.entries(share.errorsByCode))
      errorsByCode[code] = (errorsByCode[code] ?? 0) + count;
  }
  const durationMs = Math.max(0, ...shares.map((share) => share.elapsedMs));
  const { timeline, serverTimelines } = mergeShareTimelines(shares, addresses, durationMs);
  const overall = mergeEncoded(timeline.map((entry) => entry.encoded));
  // External servers have no weights: each is expected to take an even share.
  const serverWeights = addresses.map((_, index) => weights[index] ?? 1);
  const expectedShares =
    plan.mode === 'weighted-roundrobin'
      ? expectedSharesFor(serverWeights)
      : expectedSharesFor(serverWeights.map(() => 1));
  const totalCounted = sum(sharedCounts);
  const servers: ServerShare[] = addresses.map((address, index) => {
    const serverTimeline = serverTimelines[index]!;
    return {
      address,
      weight: serverWeights[index]!,
      clientCount: clientCounts[index]!,
      errors: sum(shares.map((share) => countFor(share, share.serverErrors, address))),
      serverCount: serverCounts[index] ?? null,
      share: totalCounted === 0 ? 0 : sharedCounts[index]! / totalCounted,
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
    errorSamples,
    ...rates(calls, errors, errorsByCode[DROPPED_CALL_CODE] ?? 0, durationMs),
    latency: toHistogramRecord(overall),
    failedLatency: toHistogramRecord(
      mergeEncoded(shares.map((share) => share.failedEncoded ?? '').filter((encoded) => encoded !== '')),
    ),
    servers,
    fairness: computeFairness(sharedCounts, expectedShares),
    countsFrom: counted ? 'servers' : 'clients',
    membership: [...(inputs.membership ?? [])],
    timeline,
    events: shares.flatMap((share) => share.events).sort((a, b) => a.atMs - b.atMs),
  };
}

/**
 * The open model's honest split: calls offered (due, sent or not), dropped (due while too many
 * were pending, never sent), ok, and the achieved rate of calls that completed, ok or failed. In
 * the closed model nothing is dropped and offered equals achieved.
 */
function rates(
  calls: number,
  errors: number,
  dropped: number,
  durationMs: number,
): Pick<PhaseResult, 'ok' | 'dropped' | 'offeredPerSecond' | 'callsPerSecond'> {
  const seconds = msToSeconds(durationMs);
  const perSecond = (count: number) => (durationMs > 0 ? count / seconds : 0);
  return {
    ok: calls - errors,
    dropped,
    offeredPerSecond: perSecond(calls),
    callsPerSecond: perSecond(calls - dropped),
  };
}

function countFor(share: LoadShareResult, counts: readonly number[], address: string): number {
  const at = share.addresses.indexOf(address);
  return at === -1 ? 0 : (counts[at] ?? 0);
}

function sum(values: readonly number[]): number {
  let total = 0;
  for (const value of values) total += value;
  return total;
}
