import { performance } from 'node:perf_hooks';
import type { Client } from '../rpc/client.ts';
import { dial } from '../rpc/dial.ts';
import { MultiServersDiscovery } from '../xclient/multi-servers-discovery.ts';
import { createSeededRandom } from '../xclient/random.ts';
import { XClient } from '../xclient/xclient.ts';
import { ClosedLoop } from './closed-loop.ts';
import { LOAD_METHOD } from './load-service.ts';
import { PhaseRecorder } from './phase-recorder.ts';
import { ServerPool } from './server-pool.ts';

/** The budget: measuring may cost at most this share of a bare loop's calls/s. */
export const OVERHEAD_BUDGET_PERCENT = 5;
export const DEFAULT_OVERHEAD_ROUNDS = 7;
export const DEFAULT_OVERHEAD_ROUND_MS = 1_000;
export const OVERHEAD_IN_FLIGHT = 64;
const PAYLOAD_BYTES = 64;
/** Bounds each round in count as well as time. */
const MAX_CALLS_PER_ROUND = 50_000_000;

export type OverheadVariant = 'bare' | 'recorded' | 'selected' | 'harness';

export interface OverheadOptions {
  rounds?: number;
  roundMs?: number;
  /** Called after each measured run, for a progress line. */
  onRound?: (round: number, variant: OverheadVariant, callsPerSecond: number) => void;
}

export interface OverheadResult {
  rounds: number;
  roundMs: number;
  inFlight: number;
  /** calls/s of every round, by variant. */
  callsPerSecond: Record<OverheadVariant, number[]>;
  median: Record<OverheadVariant, number>;
  /** How much slower than bare, in percent of bare's median calls/s. */
  recordingCostPercent: number;
  selectionCostPercent: number;
  harnessCostPercent: number;
  budgetPercent: number;
  passed: boolean;
}

/**
 * What the harness costs the load it measures. One server in a worker thread, 64 calls in flight
 * from this thread, three loops side by side in interleaved rounds (their order rotating):
 * - `bare`: one rpc Client, `await client.call()` in 64 async loops, a plain counter: nothing measured;
 * - `recorded`: the same client, timed and recorded by the harness's PhaseRecorder;
 * - `selected`: as recorded, with a server picked per call by the discovery's round robin
 *   (`trySelect`) and its client looked up: selection at its cheapest;
 * - `harness`: the harness's own ClosedLoop and PhaseRecorder through an XClient that selects
 *   a server for every call, over the same connection (its dial hands it the same client).
 * Medians of calls/s are compared; the budget applies to `harness` against `bare`.
 */
export async function runOverheadBench(options: OverheadOptions = {}): Promise<OverheadResult> {
  const rounds = options.rounds ?? DEFAULT_OVERHEAD_ROUNDS;
  const roundMs = options.roundMs ?? DEFAULT_OVERHEAD_ROUND_MS;
  const servers = await ServerPool.start({
    threads: 1,
    http: false,
    servers: [
      {
        index: 0,
        listenAddress: 'tcp@127.0.0.1:0',
        seed: 1,
        behaviour: { serviceTime: { distribution: 'fixed', us: 0 }, errorRate: 0, slowFactor: 1, weight: 1 },
      },
    ],
  });
  const address = servers.addresses[0]!;
  const client = await dial(address);
  const discovery = new MultiServersDiscovery([address], { random: createSeededRandom(1) });
  const xclient = new XClient(discovery, 'roundrobin', { dial: () => Promise.resolve(client) });
  const args = { payload: 'x'.repeat(PAYLOAD_BYTES) };
  const runs: Record<OverheadVariant, () => Promise<number>> = {
    bare: () => bareRound(client, args, roundMs),
    recorded: () => recordedRound(client, address, args, roundMs, undefined),
    selected: () => recordedRound(client, address, args, roundMs, discovery),
    harness: () => harnessRound(xclient, address, args, roundMs),
  };
  const variants: OverheadVariant[] = ['bare', 'recorded', 'selected', 'harness'];
  const callsPerSecond: Record<OverheadVariant, number[]> = { bare: [], recorded: [], selected: [], harness: [] };
  try {
    // One unmeasured pass of each: JIT, connection and server warm.
    for (const variant of variants) await runs[variant]();
    for (let round = 0; round < rounds; round++) {
      for (let i = 0; i < variants.length; i++) {
        const variant = variants[(round + i) % variants.length]!;
        const rate = await runs[variant]();
        callsPerSecond[variant].push(rate);
        options.onRound?.(round, variant, rate);
      }
    }
  } finally {
    await xclient.close().catch(() => undefined);
    await client.close();
    await discovery.close();
    await servers.close();
  }
  const median = {
    bare: medianOf(callsPerSecond.bare),
    recorded: medianOf(callsPerSecond.recorded),
    selected: medianOf(callsPerSecond.selected),
    harness: medianOf(callsPerSecond.harness),
  };
  const costPercent = (rate: number) => (median.bare > 0 ? (1 - rate / median.bare) * 100 : 0);
  const harnessCostPercent = costPercent(median.harness);
  return {
    rounds,
    roundMs,
    inFlight: OVERHEAD_IN_FLIGHT,
    callsPerSecond,
    median,
    recordingCostPercent: costPercent(median.recorded),
    selectionCostPercent: costPercent(median.selected),
    harnessCostPercent,
    budgetPercent: OVERHEAD_BUDGET_PERCENT,
    passed: harnessCostPercent <= OVERHEAD_BUDGET_PERCENT,
  };
}

export function formatOverhead(result: OverheadResult): string {
  const rate = (value: number) => Math.round(value).toLocaleString('en-US');
  return [
    `harness overhead: ${result.inFlight} calls in flight, ${result.rounds} interleaved rounds of ${result.roundMs} ms, medians`,
    `  bare loop (client.call, a counter):          ${rate(result.median.bare)} calls/s`,
    `  + timing and histograms (PhaseRecorder):     ${rate(result.median.recorded)} calls/s  (${result.recordingCostPercent.toFixed(1)}% slower)`,
    `  + round-robin pick (discovery.trySelect):    ${rate(result.median.selected)} calls/s  (${result.selectionCostPercent.toFixed(1)}% slower)`,
    `  the harness's path (ClosedLoop, XClient):    ${rate(result.median.harness)} calls/s  (${result.harnessCostPercent.toFixed(1)}% slower)`,
    `  budget ${result.budgetPercent}% for the harness's path: ${result.passed ? 'PASS' : 'MISS'}`,
  ].join('\n');
}

async function bareRound(client: Client, args: unknown, roundMs: number): Promise<number> {
  const state = { calls: 0, deadlineMs: 0 };
  const startMs = performance.now();
  state.deadlineMs = startMs + roundMs;
  const callers: Promise<void>[] = [];
  for (let i = 0; i < OVERHEAD_IN_FLIGHT; i++) callers.push(bareCaller(client, args, state));
  await Promise.all(callers);
  return state.calls / ((performance.now() - startMs) / 1_000);
}

async function bareCaller(client: Client, args: unknown, state: { calls: number; deadlineMs: number }): Promise<void> {
  while (state.calls < MAX_CALLS_PER_ROUND && performance.now() < state.deadlineMs) {
    await client.call(LOAD_METHOD, args);
    state.calls++;
  }
}

async function recordedRound(
  client: Client,
  address: string,
  args: unknown,
  roundMs: number,
  discovery: MultiServersDiscovery | undefined,
): Promise<number> {
  const startMs = performance.now();
  const recorder = new PhaseRecorder([address], startMs);
  const deadlineMs = startMs + roundMs;
  const clients = new Map([[address, client]]);
  const callers: Promise<void>[] = [];
  for (let i = 0; i < OVERHEAD_IN_FLIGHT; i++) {
    callers.push(
      discovery === undefined
        ? recordedCaller(client, address, args, recorder, deadlineMs)
        : selectedCaller(discovery, clients, args, recorder, deadlineMs),
    );
  }
  await Promise.all(callers);
  return recorder.calls / ((performance.now() - startMs) / 1_000);
}

async function recordedCaller(
  client: Client,
  address: string,
  args: unknown,
  recorder: PhaseRecorder,
  deadlineMs: number,
): Promise<void> {
  let endMs = 0;
  while (recorder.calls < MAX_CALLS_PER_ROUND && endMs < deadlineMs) {
    const callStartMs = performance.now();
    try {
      await client.call(LOAD_METHOD, args);
      endMs = performance.now();
      recorder.ok(address, callStartMs, endMs);
    } catch (error) {
      endMs = performance.now();
      recorder.fail(error, endMs);
    }
  }
}

async function selectedCaller(
  discovery: MultiServersDiscovery,
  clients: ReadonlyMap<string, Client>,
  args: unknown,
  recorder: PhaseRecorder,
  deadlineMs: number,
): Promise<void> {
  let endMs = 0;
  while (recorder.calls < MAX_CALLS_PER_ROUND && endMs < deadlineMs) {
    const callStartMs = performance.now();
    const address = discovery.trySelect('roundrobin')!;
    try {
      await clients.get(address)!.call(LOAD_METHOD, args);
      endMs = performance.now();
      recorder.ok(address, callStartMs, endMs);
    } catch (error) {
      endMs = performance.now();
      recorder.fail(error, endMs);
    }
  }
}

async function harnessRound(xclient: XClient, address: string, args: unknown, roundMs: number): Promise<number> {
  const startMs = performance.now();
  const recorder = new PhaseRecorder([address], startMs);
  const loop = new ClosedLoop(
    { clients: [xclient], broadcast: false, serviceMethod: LOAD_METHOD, args, callOptions: undefined },
    recorder,
    OVERHEAD_IN_FLIGHT,
    { startMs, deadlineMs: startMs + roundMs, maxCalls: MAX_CALLS_PER_ROUND },
  );
  await loop.run();
  return recorder.calls / ((performance.now() - startMs) / 1_000);
}

function medianOf(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
