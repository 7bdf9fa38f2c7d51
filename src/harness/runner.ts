import { randomBytes } from 'node:crypto';
import { dirname, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { collectEnvironment } from '../result/environment.ts';
import {
  type HttpBaseline,
  type MicroBenchmark,
  type PhaseAgentFigures,
  type PhaseResult,
  RESULT_SCHEMA_VERSION,
  type RunResult,
  type StoppedIn,
} from '../result/result-schema.ts';
import { CODEC_SHORT_NAMES } from '../rpc/codec/codec.ts';
import { checkMemoryBudget } from '../scenario/memory-budget.ts';
import { type PhasePlan, planPhases } from '../scenario/phase-plan.ts';
import { isScenarioFile } from '../scenario/phase-rpc-setup.ts';
import type { LoadedScenario } from '../scenario/scenario-loader.ts';
import { phaseDurationMs, resolveServerBehaviours, serverThreadCount } from '../scenario/scenario-schema.ts';
import { evaluateThresholds, parseThreshold } from '../scenario/threshold.ts';
import { bigIntsAsText } from '../util/bigint-text.ts';
import { createSeededRandom } from '../util/seeded-random.ts';
import { msToSeconds } from '../util/units.ts';
import { phaseRpcSetup } from './clients/phase-clients.ts';
import { HarnessWorkerError } from './errors.ts';
import { runHttpBaseline } from './extras/http-baseline.ts';
import { runMicroBenchmarks } from './extras/micro-bench.ts';
import { prepareCallInputs } from './load/call-inputs.ts';
import { MAX_CALLS_PER_PHASE } from './load/load-loop.ts';
import { type PlannedShare, shareLoad, splitCallBudget, splitEvenly } from './load/load-plan.ts';
import { type HostProgress, localPhaseLoad, type PhaseLoad, type RunningLoad } from './load/phase-load.ts';
import type { LoadShareResult } from './metrics/phase-recorder.ts';
import { buildPhaseResult } from './metrics/phase-result.ts';
import type { LiveMetricsSink } from './metrics/prometheus/live-metrics.ts';
import { type OnSearchStep, runSearchPhase } from './search/search-phase.ts';
import { serverListenAddress } from './servers/listen-address.ts';
import { ServerPool } from './servers/server-pool.ts';
import { ExternalServers } from './targets/external-servers.ts';
import type { PhaseServerCounts, PhaseServers } from './targets/phase-servers.ts';
import { pollUntil, settleWithin } from './threads/barrier.ts';

/** Between go and the first measured call: time for every server thread to hear of the phase. */
const START_LEAD_MS = 50;
const PROGRESS_INTERVAL_MS = 250;
/** Bounds waits on worker threads that hang; generous, as the machine may be loaded. */
const WORKER_WAIT_MS = 60_000;
/** Without a call timeout, calls pending after the window get this long. */
const DEFAULT_DRAIN_MS = 10_000;
const DRAIN_MARGIN_MS = 1_000;
/** autocannon connections for an open-model scenario (it has no arrival-rate model of its own). */
const OPEN_MODEL_BASELINE_CONNECTIONS = 64;

export type RunStage = 'warmup' | 'measure';

/** What onProgress receives, about every 250 ms. */
export interface RunProgress {
  phase: string;
  phaseIndex: number;
  phaseCount: number;
  stage: RunStage;
  elapsedMs: number;
  totalMs: number;
  calls: number;
  callsPerSecond: number;
  p99Us: number;
  errors: number;
  /** Each load host's figures, when the load runs on several. */
  hosts?: HostProgress[];
}

export interface RunOptions {
  /** Aborting stops the load; the result covers what ran and has `partial: true`. */
  signal?: AbortSignal;
  onProgress?: (progress: RunProgress) => void;
  /** Called as each phase ends, with its result. */
  onPhaseEnd?: (phase: PhaseResult) => void;
  /** Called as each step of a capacity search ends, with its record and the step's number (from 1). */
  onSearchStep?: OnSearchStep;
  /** Replaces the scenario's memoryBudgetBytes (bytes); see checkMemoryBudget. */
  memoryBudgetBytes?: number;
  /** Receives each phase's figures while it runs, and its result when it ends (`--metrics-listen`). */
  liveMetrics?: LiveMetricsSink;
  /** Where the load threads run: by default a pool of `loadThreads` threads here; closed when the run ends. */
  phaseLoad?: PhaseLoad;
  /** The host the simulated servers listen on (default 127.0.0.1), for load from other hosts. */
  listenHost?: string;
}

/**
 * # The phase protocol
 *
 * Three parties take part in each phase: this runner (main thread), the load threads (a Piscina
 * pool running `load/load-worker.ts`, one task per thread) and the server threads (`servers/`,
 * each hosting some simulated servers and a `Harness` control service). They meet over three
 * channels, each for one kind of traffic:
 *
 * | channel | who to whom | carries |
 * |---|---|---|
 * | `PhaseControl`, a SharedArrayBuffer (`threads/phase-control.ts`) | runner <-> load threads | warmed count, go + start instant, stop flag, each thread's running calls/errors/p99 |
 * | Piscina task and its result | runner -> load thread -> runner | the share to run (`LoadShareTask`: addresses, `PhaseRpcSetup`, load, limits, seed); back: the recorded share (encoded histograms, counts by server and error code, timeline) |
 * | `Harness.*` RPC calls (`servers/server-pool.ts`) | runner -> server threads | `Begin` (reset counts, schedule stall and crash from the start instant), `Counts`, `End`, `Stop` |
 *
 * In order, for one phase (`runPhase`):
 * 1. The runner posts one task per load thread. Each opens its XClients from the phase's
 *    `PhaseRpcSetup`, warms up for `warmupMs` (recorded, then discarded) and counts itself warmed.
 * 2. The runner waits until every load thread is warmed (bounded by `warmupMs + WORKER_WAIT_MS`),
 *    picks a start instant `START_LEAD_MS` ahead, and calls `Harness.Begin` on every server thread:
 *    the servers' call counts start from zero there, so warm-up calls are not counted.
 * 3. The runner sets go with the start instant; each load thread sleeps until that instant on its
 *    own clock and measures until `durationMs` has passed or its share of `calls` is made. Meanwhile
 *    it publishes its figures for the progress bar every 100 ms; the runner only reads them.
 * 4. Each load thread waits for its calls in flight (bounded by `drainTimeoutMs`, then it closes its
 *    XClients) and returns its recorded share as the task result.
 * 5. The runner reads `Harness.Counts` (the servers' ground truth), calls `Harness.End` (cancels
 *    stalls and crashes still scheduled) and merges the shares with the counts into the phase's result.
 *
 * Stop (Ctrl-C, `signal`) sets the stop flag: load threads stop starting calls and return what they
 * measured; a phase stopped before go yields no result. Whatever fails, the load pool and the
 * servers are closed before runScenario returns.
 */
/**
 * Runs a scenario: starts its servers in worker threads, runs each phase from load-generator
 * threads, adds the micro-benchmarks and HTTP baseline when asked, checks the thresholds and
 * returns the result. Servers and threads are gone when it returns, also after an abort or error.
 */
export async function runScenario(loaded: LoadedScenario, options: RunOptions = {}): Promise<RunResult> {
  const { scenario } = loaded;
  // Refused before any server or load thread starts: ScenarioError naming the fields and the estimate.
  checkMemoryBudget(loaded, options.memoryBudgetBytes);
  const rssStartBytes = process.memoryUsage.rss();
  const startedAt = new Date().toISOString();
  const thresholds = scenario.thresholds.map(parseThreshold);
  const environment = await collectEnvironment();
  const signal = options.signal;
  const plans = planPhases(scenario);
  const servers = await startServers(loaded, plans[0]!, options.listenHost);
  let phases: PhaseResult[] = [];
  // Where the run is, for the result of a run stopped before a phase measured anything.
  const position: StoppedIn = { phase: null, stage: 'start' };
  let extras: RunExtras = { micro: [], httpBaseline: null };
  let load: PhaseLoad | undefined;
  try {
    load = options.phaseLoad ?? localPhaseLoad(scenario.loadThreads, START_LEAD_MS);
    phases = await runPhases(loaded, plans, servers.phaseServers, load, options, position);
    if (!signal?.aborted) position.stage = 'extras';
    extras = await runExtras(scenario, servers.pool, signal);
  } finally {
    await (load ?? options.phaseLoad)?.close();
    await servers.phaseServers.close();
  }
  return {
    kind: 'rpcbench-result',
    schemaVersion: RESULT_SCHEMA_VERSION,
    partial: signal?.aborted === true,
    ...(signal?.aborted === true ? { stoppedIn: { ...position } } : {}),
    startedAt,
    finishedAt: new Date().toISOString(),
    scenario: {
      file: loaded.file,
      name: scenario.name,
      description: scenario.description,
      config: bigIntsAsText(scenario) as Record<string, unknown>,
    },
    environment,
    phases,
    micro: extras.micro,
    httpBaseline: extras.httpBaseline,
    thresholds: evaluateThresholds(thresholds, phases),
    memory: { rssStartBytes, rssEndBytes: process.memoryUsage.rss() },
  };
}

/**
 * The planned phases in turn (a capacity search runs its steps as phases of its own), until the
 * run is stopped or a phase is stopped before it measured anything.
 */
async function runPhases(
  loaded: LoadedScenario,
  plans: readonly PhasePlan[],
  servers: PhaseServers,
  load: PhaseLoad,
  options: RunOptions,
  position: StoppedIn,
): Promise<PhaseResult[]> {
  const { scenario } = loaded;
  const phases: PhaseResult[] = [];
  for (const [index, plan] of plans.entries()) {
    if (options.signal?.aborted) break;
    const context: PhaseContext = {
      loaded,
      plan,
      index,
      count: plans.length,
      servers,
      load,
      weights: scenario.target === undefined ? resolveServerBehaviours(scenario).map((b) => b.weight) : [],
      options,
      position,
    };
    const phase =
      scenario.load.model === 'search'
        ? await runSearchPhase(
            scenario,
            scenario.load,
            plan.label,
            (step, label) =>
              runPhase({ ...context, loaded: { ...loaded, scenario: step }, plan: { ...plan, label } }),
            options.onSearchStep,
          )
        : await runPhase(context);
    if (phase === null) break;
    phases.push(phase);
    // A phase cut short stays where the run stopped; one that ran in full leaves the run between phases.
    if (phase.interrupted !== true) {
      Object.assign(position, { phase: null, stage: 'between phases' } satisfies StoppedIn);
    }
    options.onPhaseEnd?.(phase);
  }
  return phases;
}

interface RunExtras {
  micro: MicroBenchmark[];
  httpBaseline: HttpBaseline | null;
}

/** The micro-benchmarks and HTTP baseline the scenario asks for: of simulated servers only, and not once stopped. */
async function runExtras(
  scenario: LoadedScenario['scenario'],
  pool: ServerPool | undefined,
  signal: AbortSignal | undefined,
): Promise<RunExtras> {
  const extras: RunExtras = { micro: [], httpBaseline: null };
  const codec = CODEC_SHORT_NAMES[scenario.codec];
  if (pool !== undefined && scenario.micro && !signal?.aborted) {
    extras.micro = await runMicroBenchmarks(pool.addresses[0]!, codec, scenario.payloadBytes, signal);
  }
  if (pool !== undefined && scenario.httpBaseline && !signal?.aborted) {
    extras.httpBaseline = await runHttpBaseline({
      urls: pool.servers.map((server) => server.httpUrl!),
      connections:
        scenario.load.model === 'closed'
          ? scenario.load.concurrency
          : Math.min(scenario.load.maxInFlight, OPEN_MODEL_BASELINE_CONNECTIONS),
      durationMs: phaseDurationMs(scenario),
      ...(scenario.calls === undefined ? {} : { amount: scenario.calls }),
      payloadBytes: scenario.payloadBytes,
      ...(signal === undefined ? {} : { signal }),
    });
  }
  return extras;
}

/**
 * The servers of a run: simulated ones in worker threads, or the user's own, found and probed with
 * one call each before any load (TargetError when one cannot be load-tested). The call's inputs
 * are prepared here once as well, so that a bad argsFile or args function fails before the run.
 */
async function startServers(
  loaded: LoadedScenario,
  firstPlan: PhasePlan,
  listenHost?: string,
): Promise<{ phaseServers: PhaseServers; pool?: ServerPool }> {
  const { scenario } = loaded;
  const setup = phaseRpcSetup(scenario, firstPlan, loaded.file);
  const inputs = await prepareCallInputs(setup.call, createSeededRandom(scenario.seed));
  if (scenario.target !== undefined) {
    const external = await ExternalServers.open(scenario.target, setup);
    try {
      await external.probe(setup, inputs);
    } catch (error) {
      await external.close();
      throw error;
    }
    return { phaseServers: external };
  }
  const runId = randomBytes(4).toString('hex');
  const pool = await ServerPool.start({
    threads: serverThreadCount(scenario),
    http: scenario.httpBaseline,
    service: serviceModule(loaded),
    servers: resolveServerBehaviours(scenario).map((behaviour, index) => ({
      index,
      behaviour,
      listenAddress: serverListenAddress(scenario.transport, runId, index, listenHost),
      seed: scenario.seed * 7_919 + index + 1,
    })),
  });
  const phaseServers: PhaseServers = {
    addresses: () => pool.addresses,
    begin: (startAtEpochMs) => pool.begin(startAtEpochMs),
    counts: async () => ({ addresses: pool.addresses, counts: await pool.counts(), membership: [] }),
    end: () => pool.end(),
    close: () => pool.close(),
  };
  return { phaseServers, pool };
}

/** The user's service module for the simulated servers, with its path made absolute. */
export function serviceModule(loaded: LoadedScenario): { module: string; name?: string } | undefined {
  const service = loaded.scenario.servers.service;
  if (service === undefined) return undefined;
  const base = isScenarioFile(loaded.file) ? dirname(resolve(loaded.file)) : process.cwd();
  return { ...service, module: resolve(base, service.module) };
}

interface PhaseContext {
  loaded: LoadedScenario;
  plan: PhasePlan;
  index: number;
  count: number;
  servers: PhaseServers;
  load: PhaseLoad;
  weights: number[];
  options: RunOptions;
  /** Updated as the phase moves from warm-up to measuring. */
  position: StoppedIn;
}

/**
 * One phase: the load threads warm up, the servers' counts are reset, all threads start measuring
 * at one instant, and their records are merged with the servers' counts. Null when it was stopped
 * before anything was measured.
 */
async function runPhase(context: PhaseContext): Promise<PhaseResult | null> {
  const { loaded, plan, servers, options, position } = context;
  Object.assign(position, { phase: plan.label, stage: 'warm-up' } satisfies StoppedIn);
  const { scenario } = loaded;
  const durationMs = phaseDurationMs(scenario);
  const tasks = buildTasks(context);
  const live = options.liveMetrics?.openPhase({
    scenario: scenario.name,
    phase: plan.label,
    addresses: servers.addresses(),
    threads: tasks.length,
  });
  const load = context.load.start(tasks, plan, live?.ports);
  const stop = () => load.stop();
  options.signal?.addEventListener('abort', stop, { once: true });
  if (options.signal?.aborted) stop();
  let failure: unknown;
  let gaveUp = false;
  const running = load.shares;
  running.catch((error: unknown) => {
    failure = error;
    load.stop();
  });
  const report = progressReporter(context, load);
  const clock: StageClock = { stage: 'warmup', startMs: performance.now() };
  const ticker = setInterval(
    () => report(clock.stage, clock.startMs, clock.stage === 'warmup' ? scenario.warmupMs : durationMs),
    PROGRESS_INTERVAL_MS,
  );
  try {
    report(clock.stage, clock.startMs, scenario.warmupMs);
    const measured = await warmUpAndGo(context, load, clock);
    // Threads stop by themselves at the phase's end; a load host that goes silent must not hold
    // the run forever.
    const finishMs = (measured ? durationMs + tasks[0]!.drainTimeoutMs : 0) + WORKER_WAIT_MS;
    const shares = await settleWithin(running, finishMs, 'the load threads to finish the phase').catch(
      (error: unknown) => {
        gaveUp = true;
        throw error;
      },
    );
    report(clock.stage, clock.startMs, durationMs);
    const serverCounts = await servers.counts();
    await servers.end();
    if (!measured || shares.every((share) => share.calls === 0 && share.stopped)) return null;
    const result = await mergePhase(context, load, shares, serverCounts);
    live?.end(result);
    return result;
  } catch (error) {
    load.stop();
    // Threads that stop in time hand back what they recorded; those already given up on are not waited for again.
    if (!gaveUp)
      await settleWithin(running, WORKER_WAIT_MS, 'the load threads to stop').catch(() => undefined);
    const cause = failure ?? error;
    throw cause instanceof HarnessWorkerError
      ? cause
      : new HarnessWorkerError(`phase ${plan.label} failed: ${(cause as Error).message}`, { cause });
  } finally {
    clearInterval(ticker);
    live?.end(null);
    options.signal?.removeEventListener('abort', stop);
  }
}

/** The stage a phase is in and when it began (performance.now(), ms): what the progress ticker reports. */
interface StageClock {
  stage: RunStage;
  startMs: number;
}

/** Reports a phase's running figures to onProgress, if it is given. */
function progressReporter(
  context: PhaseContext,
  load: RunningLoad,
): (stage: RunStage, stageStartMs: number, totalMs: number) => void {
  const { options, plan } = context;
  return (stage, stageStartMs, totalMs) => {
    if (options.onProgress === undefined) return;
    const { calls, errors, p99Us } = load.read();
    const elapsedMs = performance.now() - stageStartMs;
    const hosts = load.readHosts?.();
    options.onProgress({
      phase: plan.label,
      phaseIndex: context.index,
      phaseCount: context.count,
      stage,
      elapsedMs,
      totalMs,
      calls,
      callsPerSecond: elapsedMs > 0 ? calls / msToSeconds(elapsedMs) : 0,
      p99Us,
      errors,
      ...(hosts === undefined ? {} : { hosts }),
    });
  };
}

/**
 * Waits for every load thread to warm up, then starts the servers' counts and the measuring at one
 * instant, the load's start lead ahead. False when the phase was stopped before go.
 */
async function warmUpAndGo(context: PhaseContext, load: RunningLoad, clock: StageClock): Promise<boolean> {
  await pollUntil(
    () => load.allWarmed() || load.stopRequested,
    context.loaded.scenario.warmupMs + WORKER_WAIT_MS,
    'the load threads to warm up',
  );
  if (load.stopRequested) return false;
  const startLeadMs = context.load.startLeadMs;
  const startAtEpochMs = Date.now() + startLeadMs;
  await context.servers.begin(startAtEpochMs);
  await load.go(startAtEpochMs);
  context.position.stage = 'measure';
  clock.stage = 'measure';
  clock.startMs = performance.now() + startLeadMs;
  return true;
}

/** The load threads' shares merged with the servers' counts, and each load host's figures when there are several. */
async function mergePhase(
  context: PhaseContext,
  load: RunningLoad,
  shares: LoadShareResult[],
  serverCounts: PhaseServerCounts,
): Promise<PhaseResult> {
  const agents: PhaseAgentFigures[] | undefined = await load.agentFigures?.();
  return {
    ...buildPhaseResult({
      plan: context.plan,
      addresses: serverCounts.addresses,
      weights: context.weights,
      shares,
      serverCounts: serverCounts.counts,
      membership: serverCounts.membership,
    }),
    ...(agents === undefined ? {} : { agents }),
    ...(shares.some((share) => share.stopped) ? { interrupted: true } : {}),
  };
}

function buildTasks(context: PhaseContext): PlannedShare[] {
  const { loaded, plan, servers } = context;
  const { scenario } = loaded;
  const threads = context.load.threads;
  const addresses = servers.addresses();
  const clients = splitEvenly(scenario.clients, threads);
  const budgets = splitCallBudget(scenario.calls ?? MAX_CALLS_PER_PHASE, threads, addresses.length);
  const concurrency = scenario.load.model === 'closed' ? splitEvenly(scenario.load.concurrency, threads) : [];
  const inFlight = scenario.load.model !== 'closed' ? splitEvenly(scenario.load.maxInFlight, threads) : [];
  const setup = phaseRpcSetup(scenario, plan, loaded.file);
  const drainTimeoutMs =
    scenario.callTimeoutMs > 0 ? scenario.callTimeoutMs + DRAIN_MARGIN_MS : DEFAULT_DRAIN_MS;
  return Array.from({ length: threads }, (_, thread): PlannedShare => {
    const load = shareLoad(scenario.load, {
      thread,
      threads,
      concurrency: concurrency[thread] ?? 0,
      maxInFlight: inFlight[thread] ?? 0,
    });
    return {
      threads,
      thread,
      addresses,
      setup,
      // Load hosts may run more threads than the scenario's clients: each needs one of its own.
      clients: Math.max(1, clients[thread]!),
      load,
      warmupMs: scenario.warmupMs,
      durationMs: phaseDurationMs(scenario),
      timelineIntervalMs: scenario.timelineIntervalMs,
      maxCalls: budgets[thread]!,
      seed: scenario.seed * 104_729 + context.index * 1_009 + thread,
      drainTimeoutMs,
      goTimeoutMs: WORKER_WAIT_MS,
    };
  });
}
