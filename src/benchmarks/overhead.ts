import { performance } from 'node:perf_hooks';
import { ClosedLoop } from '../harness/load/closed-loop.ts';
import { PhaseRecorder } from '../harness/metrics/phase-recorder.ts';
import { LIVE_FIGURES_INTERVAL_MS } from '../harness/metrics/prometheus/live-metrics.ts';
import { LOAD_METHOD } from '../harness/servers/load-service.ts';
import { ServerPool } from '../harness/servers/server-pool.ts';
import { prepareRecordingHistograms } from '../result/histogram.ts';
import { type Client, resolveClientOptions } from '../rpc/client.ts';
import { dial } from '../rpc/dial.ts';
import { median } from '../stats/descriptive.ts';
import { createSeededRandom } from '../util/seeded-random.ts';
import { msToNs, msToSeconds, nsToMs, secondsToMs } from '../util/units.ts';
import { ConnectionPool } from '../xclient/connection-pool.ts';
import { MultiServersDiscovery } from '../xclient/discovery/multi-servers-discovery.ts';
import { DEFAULT_PEAK_EWMA_DECAY_MS, LatencyEstimates } from '../xclient/latency/latency-estimates.ts';
import { XClient } from '../xclient/xclient.ts';

/** The budget: measuring may cost at most this share of a bare loop's calls/s. */
export const OVERHEAD_BUDGET_PERCENT = 5;
export const DEFAULT_OVERHEAD_ROUNDS = 15;
export const DEFAULT_OVERHEAD_ROUND_MS = 500;
export const OVERHEAD_IN_FLIGHT = 64;
const PAYLOAD_BYTES = 64;
/** Bounds each round in count as well as time. */
const MAX_CALLS_PER_ROUND = 50_000_000;
/** Paired rounds of the p2c and peak-ewma selection loops, after one round of warm-up, and iterations per loop. */
const SELECTION_ROUNDS = 15;
const SELECTION_ITERATIONS = 200_000;
/** Iterations of the bookkeeping loop, measured five times. */
const BOOKKEEPING_ITERATIONS = 1_000_000;
const BOOKKEEPING_REPEATS = 5;
/** Calls recorded per server before timing liveFigures(): a histogram as full as a long phase's. */
const LIVE_FIGURES_CALLS = 1_000_000;

/** A pause before each run, for the last run's garbage and sockets to settle. */
const SETTLE_MS = 20;
const ORDER_SEED = 5;

export type OverheadVariant = 'bare' | 'recorded' | 'selected' | 'harness' | 'generated';

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
  /**
   * How much slower than bare, in percent: 1 − the median over rounds of (variant ÷ bare of the
   * same round). Pairing within a round cancels the drift of a shared, loaded machine.
   */
  recordingCostPercent: number;
  selectionCostPercent: number;
  harnessCostPercent: number;
  /** The harness's path with a trivial per-call `call.args` function, how much slower than bare. */
  generatedCostPercent: number;
  /** What the generator adds per call over the harness's path, from the two medians: ns per call. */
  generatorNsPerCall: number;
  /** CPU time per call of what the harness adds (a clock read, a pick, two recordValue): fastest of 5 tight loops. */
  bookkeepingNsPerCall: number;
  /** That time as a share of one thread's second at bare's median rate: its cost were the client thread the limit. */
  bookkeepingPercent: number;
  /**
   * CPU time of one PhaseRecorder.liveFigures() per server (its histogram encoded), in ms: what a
   * load thread spends once a second when the run serves live metrics; fastest of 5.
   */
  liveFiguresMsPerServer: number;
  /**
   * CPU time per call of a p2c pick and of a peak-ewma pick with what the XClient does around it
   * (the costs of both candidates, the estimate's update), each with the one clock read per call
   * the harness makes anyway: medians over paired rounds, and the median of the per-round
   * differences (`peakEwmaExtra`).
   */
  selectionNsPerCall: { p2c: number; peakEwma: number; peakEwmaExtra: number };
  budgetPercent: number;
  passed: boolean;
}

/**
 * What the harness costs the load it measures. One server in a worker thread, 64 calls in flight
 * from this thread, four loops side by side in interleaved rounds:
 * - `bare`: one rpc Client, `await client.call()` in 64 async loops, a plain counter: nothing measured;
 * - `recorded`: the same client, timed and recorded by the harness's PhaseRecorder;
 * - `selected`: as recorded, with a server picked per call by the discovery's round robin
 *   (`trySelect`) and its client looked up: selection at its cheapest;
 * - `harness`: the harness's own ClosedLoop and PhaseRecorder through an XClient that selects
 *   a server for every call, over the same connection (its dial hands it the same client);
 * - `generated`: as harness, with arguments made per call by a trivial `call.args` function.
 * The order is shuffled each round. Medians of calls/s are reported, and the slowdown of each
 * variant as the median of its per-round ratio to bare; the budget applies to `harness`.
 */
export async function runOverheadBench(options: OverheadOptions = {}): Promise<OverheadResult> {
  prepareRecordingHistograms();
  const rounds = options.rounds ?? DEFAULT_OVERHEAD_ROUNDS;
  const roundMs = options.roundMs ?? DEFAULT_OVERHEAD_ROUND_MS;
  const servers = await startOverheadServer();
  const address = servers.addresses[0]!;
  const client = await dial(address);
  const discovery = new MultiServersDiscovery([address], { random: createSeededRandom(1) });
  const xclient = new XClient(discovery, 'roundrobin', { dial: () => Promise.resolve(client) });
  const args = { payload: 'x'.repeat(PAYLOAD_BYTES) };
  const runs: Record<OverheadVariant, () => Promise<number>> = {
    bare: () => bareRound(client, args, roundMs),
    recorded: () => recordedRound(client, address, args, roundMs, undefined),
    selected: () => recordedRound(client, address, args, roundMs, discovery),
    harness: () => harnessRound(xclient, address, args, roundMs, undefined),
    // A new object per call with the fixed arguments' bytes: the figure is the generator's, not a bigger message's.
    generated: () =>
      harnessRound(xclient, address, args, roundMs, (i) => ({ payload: i >= 0 ? args.payload : '' })),
  };
  let callsPerSecond: Record<OverheadVariant, number[]>;
  try {
    callsPerSecond = await interleavedRounds(runs, rounds, options.onRound);
  } finally {
    await xclient.close().catch(() => undefined);
    await client.close();
    await discovery.close();
    await servers.close();
  }
  return overheadResult(callsPerSecond, rounds, roundMs);
}

/** One server in one worker thread that answers at once: the cheapest server there is. */
function startOverheadServer(): Promise<ServerPool> {
  return ServerPool.start({
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
}

/** Each variant's calls/s in every round, after one unmeasured pass of each. */
async function interleavedRounds(
  runs: Record<OverheadVariant, () => Promise<number>>,
  rounds: number,
  onRound: OverheadOptions['onRound'],
): Promise<Record<OverheadVariant, number[]>> {
  const variants: OverheadVariant[] = ['bare', 'recorded', 'selected', 'harness', 'generated'];
  const callsPerSecond: Record<OverheadVariant, number[]> = {
    bare: [],
    recorded: [],
    selected: [],
    harness: [],
    generated: [],
  };
  // One unmeasured pass of each: JIT, connection and server warm.
  for (const variant of variants) await runs[variant]();
  const random = createSeededRandom(ORDER_SEED);
  for (let round = 0; round < rounds; round++) {
    // A fresh order each round: no variant always runs after the one that left the most garbage.
    for (const variant of shuffled(variants, random)) {
      await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
      const rate = await runs[variant]();
      callsPerSecond[variant].push(rate);
      onRound?.(round, variant, rate);
    }
  }
  return callsPerSecond;
}

/** The rounds' medians and slowdowns, with the CPU-bound loops measured once the server is gone. */
function overheadResult(
  callsPerSecond: Record<OverheadVariant, number[]>,
  rounds: number,
  roundMs: number,
): OverheadResult {
  const medians = {
    bare: median(callsPerSecond.bare),
    recorded: median(callsPerSecond.recorded),
    selected: median(callsPerSecond.selected),
    harness: median(callsPerSecond.harness),
    generated: median(callsPerSecond.generated),
  };
  const costPercent = (variant: OverheadVariant) =>
    (1 - median(callsPerSecond[variant].map((rate, round) => rate / callsPerSecond.bare[round]!))) * 100;
  const harnessCostPercent = costPercent('harness');
  const generatedCostPercent = costPercent('generated');
  const bookkeepingNsPerCall = measureBookkeepingNs();
  return {
    rounds,
    roundMs,
    inFlight: OVERHEAD_IN_FLIGHT,
    callsPerSecond,
    median: medians,
    recordingCostPercent: costPercent('recorded'),
    selectionCostPercent: costPercent('selected'),
    harnessCostPercent,
    generatedCostPercent,
    // One thread makes every call: the time between two calls is their CPU cost, the generator's included.
    generatorNsPerCall: msToNs(secondsToMs(1 / medians.generated - 1 / medians.harness)),
    bookkeepingNsPerCall,
    bookkeepingPercent: msToSeconds(nsToMs(bookkeepingNsPerCall)) * medians.bare * 100,
    liveFiguresMsPerServer: measureLiveFiguresMs(),
    selectionNsPerCall: measureSelection(),
    budgetPercent: OVERHEAD_BUDGET_PERCENT,
    passed: harnessCostPercent <= OVERHEAD_BUDGET_PERCENT && generatedCostPercent <= OVERHEAD_BUDGET_PERCENT,
  };
}

/** What the harness does per call besides the call, without the call: a clean CPU figure. */
function measureBookkeepingNs(): number {
  const addresses = ['tcp@127.0.0.1:1', 'tcp@127.0.0.1:2', 'tcp@127.0.0.1:3'];
  const samples: number[] = [];
  for (let repeat = 0; repeat < BOOKKEEPING_REPEATS; repeat++) {
    const discovery = new MultiServersDiscovery(addresses);
    const startMs = performance.now();
    const recorder = new PhaseRecorder(addresses, startMs);
    let callStartMs = startMs;
    for (let i = 0; i < BOOKKEEPING_ITERATIONS; i++) {
      const picked = discovery.trySelect('roundrobin')!;
      const endMs = performance.now();
      recorder.ok(picked, callStartMs, endMs);
      callStartMs = endMs;
    }
    samples.push(msToNs(performance.now() - startMs) / BOOKKEEPING_ITERATIONS);
    recorder.discard();
  }
  // The fastest pass: other processes on the machine only ever add time to a CPU-bound loop.
  return Math.min(...samples);
}

/** liveFigures() of a recorder whose three servers each hold a long phase's latencies, per server. */
function measureLiveFiguresMs(): number {
  const addresses = ['tcp@127.0.0.1:1', 'tcp@127.0.0.1:2', 'tcp@127.0.0.1:3'];
  const recorder = new PhaseRecorder(addresses, 0);
  const random = createSeededRandom(ORDER_SEED);
  try {
    for (let i = 0; i < LIVE_FIGURES_CALLS; i++) {
      // Latencies from 50 µs to some 20 ms with a long tail: many histogram slots in use.
      recorder.ok(addresses[i % addresses.length]!, 0, 0.05 + random() ** 4 * 20);
    }
    const samples: number[] = [];
    for (let repeat = 0; repeat < BOOKKEEPING_REPEATS; repeat++) {
      const startMs = performance.now();
      recorder.liveFigures(0);
      samples.push((performance.now() - startMs) / addresses.length);
    }
    return Math.min(...samples);
  } finally {
    recorder.discard();
  }
}

/**
 * p2c against peak-ewma, in rounds that run both loops one after the other (in turn first), so
 * that whatever else the machine does reaches both alike; the added cost is the median of the
 * per-round differences.
 */
function measureSelection(): OverheadResult['selectionNsPerCall'] {
  selectionLoopNs('p2c', 0);
  selectionLoopNs('peak-ewma', 0);
  const p2c: number[] = [];
  const peakEwma: number[] = [];
  for (let round = 1; round <= SELECTION_ROUNDS; round++) {
    if (round % 2 === 0) p2c.push(selectionLoopNs('p2c', round));
    peakEwma.push(selectionLoopNs('peak-ewma', round));
    if (round % 2 === 1) p2c.push(selectionLoopNs('p2c', round));
  }
  return {
    p2c: median(p2c),
    peakEwma: median(peakEwma),
    peakEwmaExtra: median(peakEwma.map((ns, round) => ns - p2c[round]!)),
  };
}

/**
 * One selection per iteration over four servers with calls in flight, as the XClient makes it in
 * the harness: one clock read per call in both modes (the call's end, which the load loop needs
 * anyway and peak-ewma shares); p2c compares in-flight counts, peak-ewma also costs both
 * candidates and folds the latency into the winner's estimate.
 */
function selectionLoopNs(mode: 'p2c' | 'peak-ewma', seed: number): number {
  const addresses = ['tcp@127.0.0.1:1', 'tcp@127.0.0.1:2', 'tcp@127.0.0.1:3', 'tcp@127.0.0.1:4'];
  // The XClient's own connection pool, never dialing here: 0, 3, 6 and 9 calls in flight.
  const pool = new ConnectionPool(() => Promise.reject(new Error('not dialed')), resolveClientOptions({}));
  addresses.forEach((address, i) => {
    for (let call = 0; call < i * 3; call++) pool.acquire(address);
  });
  const discovery = new MultiServersDiscovery(addresses, { random: createSeededRandom(seed + 1) });
  const estimates = new LatencyEstimates(DEFAULT_PEAK_EWMA_DECAY_MS, pool.entryOf);
  const hint =
    mode === 'p2c' ? { inFlight: pool.inFlightOf } : { inFlight: pool.inFlightOf, cost: estimates.costOf };
  let checksum = 0;
  const startMs = performance.now();
  let callStartMs = startMs;
  for (let i = 0; i < SELECTION_ITERATIONS; i++) {
    if (mode === 'peak-ewma') estimates.nowMs = callStartMs;
    // The call counted in and out of the picked server's entry, as the XClient does in either mode.
    const entry = pool.acquire(discovery.trySelect(mode, hint)!);
    const endMs = performance.now();
    if (mode === 'peak-ewma') estimates.observe(entry, endMs - callStartMs, endMs);
    pool.release(entry);
    callStartMs = endMs;
    checksum += entry.address.length;
  }
  const ns = msToNs(performance.now() - startMs) / SELECTION_ITERATIONS;
  // Read, so that the loop's work cannot be dropped as unused.
  return checksum === 0 ? Number.NaN : ns;
}

export function formatOverhead(result: OverheadResult): string {
  const rate = (value: number) => Math.round(value).toLocaleString('en-US');
  return [
    `harness overhead: ${result.inFlight} calls in flight, ${result.rounds} interleaved rounds of ${result.roundMs} ms;`,
    '  calls/s are medians; slowdowns are medians of per-round ratios to the bare loop',
    `  bare loop (client.call, a counter):          ${rate(result.median.bare)} calls/s`,
    `  + timing and histograms (PhaseRecorder):     ${rate(result.median.recorded)} calls/s  (${result.recordingCostPercent.toFixed(1)}% slower)`,
    `  + round-robin pick (discovery.trySelect):    ${rate(result.median.selected)} calls/s  (${result.selectionCostPercent.toFixed(1)}% slower)`,
    `  the harness's path (ClosedLoop, XClient):    ${rate(result.median.harness)} calls/s  (${result.harnessCostPercent.toFixed(1)}% slower)`,
    `  ... with a per-call args function:           ${rate(result.median.generated)} calls/s  (${result.generatedCostPercent.toFixed(1)}% slower; ` +
      `the generator ${result.generatorNsPerCall.toFixed(0)} ns per call)`,
    `  bookkeeping alone (clock read, pick, histograms): ${result.bookkeepingNsPerCall.toFixed(0)} ns per call, ` +
      `${result.bookkeepingPercent.toFixed(1)}% of a thread at the bare rate`,
    `  selection alone: p2c ${result.selectionNsPerCall.p2c.toFixed(0)} ns per call, peak-ewma ` +
      `${result.selectionNsPerCall.peakEwma.toFixed(0)} ns; peak-ewma adds ${result.selectionNsPerCall.peakEwmaExtra.toFixed(0)} ns ` +
      `(median of ${SELECTION_ROUNDS} paired rounds)`,
    `  live metrics (--metrics-listen), off the call path: ${(result.liveFiguresMsPerServer * 1000).toFixed(1)} µs per server ` +
      `every ${msToSeconds(LIVE_FIGURES_INTERVAL_MS)} s, ${((result.liveFiguresMsPerServer / LIVE_FIGURES_INTERVAL_MS) * 100).toFixed(4)}% of a load thread per server`,
    `  budget ${result.budgetPercent}% for the harness's path, with and without the generator: ${result.passed ? 'PASS' : 'MISS'}`,
  ].join('\n');
}

async function bareRound(client: Client, args: unknown, roundMs: number): Promise<number> {
  const state = { calls: 0, deadlineMs: 0 };
  const startMs = performance.now();
  state.deadlineMs = startMs + roundMs;
  const callers: Promise<void>[] = [];
  for (let i = 0; i < OVERHEAD_IN_FLIGHT; i++) callers.push(bareCaller(client, args, state));
  await Promise.all(callers);
  return state.calls / msToSeconds(performance.now() - startMs);
}

async function bareCaller(
  client: Client,
  args: unknown,
  state: { calls: number; deadlineMs: number },
): Promise<void> {
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
    callers.push(recordedCaller(client, address, args, recorder, deadlineMs, discovery, clients));
  }
  await Promise.all(callers);
  return roundRate(recorder, startMs);
}

/**
 * Calls `address` through `client`, or, given a discovery, the server its round robin picks
 * through that server's client from `clients`. One clock read per call, as in ClosedLoop: a call
 * starts when the previous one ended.
 */
async function recordedCaller(
  client: Client,
  address: string,
  args: unknown,
  recorder: PhaseRecorder,
  deadlineMs: number,
  discovery: MultiServersDiscovery | undefined,
  clients: ReadonlyMap<string, Client>,
): Promise<void> {
  let target = client;
  let targetAddress = address;
  let startMs = performance.now();
  while (recorder.calls < MAX_CALLS_PER_ROUND && startMs < deadlineMs) {
    if (discovery !== undefined) {
      targetAddress = discovery.trySelect('roundrobin')!;
      target = clients.get(targetAddress)!;
    }
    try {
      await target.call(LOAD_METHOD, args);
      const endMs = performance.now();
      recorder.ok(targetAddress, startMs, endMs);
      startMs = endMs;
    } catch (error) {
      startMs = performance.now();
      recorder.fail(error, startMs);
    }
  }
}

/** The round's calls/s; frees the recorder's histograms. */
function roundRate(recorder: PhaseRecorder, startMs: number): number {
  const rate = recorder.calls / msToSeconds(performance.now() - startMs);
  recorder.discard();
  return rate;
}

async function harnessRound(
  xclient: XClient,
  address: string,
  args: unknown,
  roundMs: number,
  argsAt: ((i: number) => unknown) | undefined,
): Promise<number> {
  const startMs = performance.now();
  const recorder = new PhaseRecorder([address], startMs);
  const loop = new ClosedLoop(
    {
      clients: [xclient],
      broadcast: false,
      serviceMethod: LOAD_METHOD,
      args,
      argsAt,
      check: undefined,
      callOptions: undefined,
    },
    recorder,
    OVERHEAD_IN_FLIGHT,
    { startMs, deadlineMs: startMs + roundMs, maxCalls: MAX_CALLS_PER_ROUND },
  );
  await loop.run();
  return roundRate(recorder, startMs);
}

function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}
