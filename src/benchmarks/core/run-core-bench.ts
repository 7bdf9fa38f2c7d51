import { loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { collectEnvironment } from '../../result/environment.ts';
import { prepareRecordingHistograms } from '../../result/histogram.ts';
import type { Environment } from '../../result/result-schema.ts';
import { median } from '../../stats/descriptive.ts';
import { nsToFractionalUs, nsToMs, nsToUs } from '../../util/units.ts';
import { runGoBench, startGoServer } from '../go-peer/go-peer.ts';
import type { CallDriver } from './call-driver.ts';
import {
  buildCases,
  CASE_KINDS,
  type CaseKind,
  type CaseSpec,
  connectDriver,
  GO_CASE_KINDS,
} from './cases.ts';
import { ECHO_PAYLOAD_BYTES, ECHO_STRING } from './payload.ts';
import { type LoadResult, runLoad } from './run-load.ts';
import type { ServersReady } from './servers/server-messages.ts';
import { startServerThread } from './servers/server-thread.ts';
import { type CaseFigures, evaluateTargets, type TargetOutcome } from './targets.ts';

// Many short rounds rather than a few long ones: a ratio is taken within each round, and the
// median of five resists a round that the machine's other work disturbed.
export const DEFAULT_DURATION_MS = 1_200;
export const DEFAULT_WARMUP_MS = 300;
export const DEFAULT_ROUNDS = 5;
/** Far above what one connection reaches in a default run: the count bound, not the usual stop. */
export const DEFAULT_MAX_CALLS_PER_RUN = 20_000_000;
const DRAIN_TIMEOUT_MS = 5_000;
/** Lets the previous case's sockets close and its garbage settle before the next case starts. */
const PAUSE_BETWEEN_RUNS_MS = 100;

export interface CoreBenchOptions {
  /** Measured time of each run. @default 1200 */
  durationMs?: number;
  /** Unrecorded calls before each run's measurement. @default 300 */
  warmupMs?: number;
  /** How often each case runs; the median is reported. @default 5 */
  rounds?: number;
  /** Which kinds to run. @default every kind */
  kinds?: readonly CaseKind[];
  /** @default 20000000 */
  maxCallsPerRun?: number;
  /** Told before each run starts, for progress output; round -1 is the unrecorded warm-up pass. */
  onRunStart?: (spec: CaseSpec, round: number, rounds: number) => void;
}

export interface CaseResult extends CaseFigures {
  id: string;
  kind: CaseKind;
  inFlight: number;
  /** Medians over the rounds, each taken separately. */
  p50Us: number;
  cpuUsPerCall: number;
  errors: number;
  /** One entry per round, in round order. */
  runs: LoadResult[];
}

export interface CoreBenchResult {
  kind: 'rpcbench-core-bench';
  startedAt: string;
  finishedAt: string;
  environment: Environment;
  /** The 1-minute load average before and after: how busy the shared machine was. */
  loadAverage: { start: number; end: number };
  settings: { durationMs: number; warmupMs: number; rounds: number; payloadBytes: number };
  cases: CaseResult[];
  targets: TargetOutcome[];
}

/**
 * Runs every case `rounds` times against servers in a worker thread. Each round runs the cases
 * in a rotated order, so that no case always follows the same neighbour or always runs first.
 */
export async function runCoreBench(options: CoreBenchOptions = {}): Promise<CoreBenchResult> {
  const durationMs = options.durationMs ?? DEFAULT_DURATION_MS;
  const warmupMs = options.warmupMs ?? DEFAULT_WARMUP_MS;
  const rounds = options.rounds ?? DEFAULT_ROUNDS;
  const maxCalls = options.maxCallsPerRun ?? DEFAULT_MAX_CALLS_PER_RUN;
  const specs = buildCases(options.kinds ?? CASE_KINDS);
  const startedAt = new Date().toISOString();
  const loadStart = loadavg()[0]!;
  const runs = new Map<string, LoadResult[]>(specs.map((spec) => [spec.id, []]));
  prepareRecordingHistograms();

  const thread = await startServerThread();
  const goServer = specs.some((spec) => GO_CASE_KINDS.includes(spec.kind))
    ? await startGoServer({ codecs: ['gob'] }).catch((error: unknown) => error as Error)
    : undefined;
  const targets: RunTargets = {
    servers: thread.servers,
    goServer: goServer instanceof Error ? goServer : goServer?.addresses[0],
  };
  try {
    // One unrecorded pass over every case first, so that the first measured run does not pay
    // for compiling code that later runs find compiled.
    for (const spec of specs) {
      options.onRunStart?.(spec, -1, rounds);
      await runOnce(spec, targets, { warmupMs: 0, durationMs: warmupMs, maxCalls });
    }
    for (let round = 0; round < rounds; round++) {
      for (let i = 0; i < specs.length; i++) {
        const spec = specs[(i + round) % specs.length]!;
        options.onRunStart?.(spec, round, rounds);
        runs.get(spec.id)!.push(await runOnce(spec, targets, { warmupMs, durationMs, maxCalls }));
        await sleep(PAUSE_BETWEEN_RUNS_MS);
      }
    }
  } finally {
    await thread.stop();
    if (goServer !== undefined && !(goServer instanceof Error)) await goServer.stop();
  }

  const cases = specs.map((spec): CaseResult => {
    const caseRuns = runs.get(spec.id)!;
    return {
      id: spec.id,
      kind: spec.kind,
      inFlight: spec.inFlight,
      callsPerSecond: median(caseRuns.map((run) => run.callsPerSecond)),
      p50Us: median(caseRuns.map((run) => run.latency.p50Us)),
      p99Us: median(caseRuns.map((run) => run.latency.p99Us)),
      cpuUsPerCall: median(caseRuns.map((run) => run.cpuUsPerCall)),
      errors: caseRuns.reduce((sum, run) => sum + run.errors, 0),
      runs: caseRuns,
    };
  });
  return {
    kind: 'rpcbench-core-bench',
    startedAt,
    finishedAt: new Date().toISOString(),
    environment: await collectEnvironment(),
    loadAverage: { start: loadStart, end: loadavg()[0]! },
    settings: { durationMs, warmupMs, rounds, payloadBytes: ECHO_PAYLOAD_BYTES },
    cases,
    targets: evaluateTargets(new Map(cases.map((result) => [result.id, result]))),
  };
}

/** Where the cases' servers are: the worker thread's, and the Go server (or why it did not start). */
interface RunTargets {
  servers: ServersReady;
  goServer: string | Error | undefined;
}

/** One run of one case on a fresh connection; a connection that cannot be opened counts as a failed run. */
async function runOnce(
  spec: CaseSpec,
  targets: RunTargets,
  settings: { warmupMs: number; durationMs: number; maxCalls: number },
): Promise<LoadResult> {
  const { goServer } = targets;
  if (GO_CASE_KINDS.includes(spec.kind) && typeof goServer !== 'string') {
    return failedRun(goServer ?? new Error('the Go server is not running'));
  }
  if (spec.kind === 'go-client') return runGoClientCase(goServer as string, spec.inFlight, settings);
  let driver: CallDriver;
  try {
    driver = await connectDriver(spec.kind, targets.servers, goServer as string | undefined);
  } catch (error) {
    return failedRun(error);
  }
  try {
    return await runLoad(driver, { inFlight: spec.inFlight, ...settings, drainTimeoutMs: DRAIN_TIMEOUT_MS });
  } finally {
    await driver.close();
  }
}

/** Go's own client against the Go server, in a process of its own; its CPU time is that process's. */
async function runGoClientCase(
  address: string,
  inFlight: number,
  settings: { warmupMs: number; durationMs: number },
): Promise<LoadResult> {
  try {
    const go = await runGoBench({
      address,
      codec: 'gob',
      args: ECHO_STRING,
      concurrency: inFlight,
      durationMs: settings.durationMs,
      warmupMs: settings.warmupMs,
    });
    const p50Us = nsToUs(go.p50Ns);
    const p99Us = nsToUs(go.p99Ns);
    return {
      calls: go.calls,
      errors: go.failed,
      firstError: go.failed > 0 ? `${go.failed} calls failed in Go's client` : undefined,
      elapsedMs: nsToMs(go.elapsedNs),
      callsPerSecond: go.callsPerSecond,
      // Go reports only these: the rest of the summary stays zero rather than made up.
      latency: {
        count: go.calls,
        minUs: 0,
        meanUs: 0,
        stdevUs: 0,
        p50Us,
        p90Us: 0,
        p99Us,
        p999Us: 0,
        maxUs: nsToUs(go.maxNs),
      },
      stalled: 0,
      cpuUsPerCall: nsToFractionalUs(go.cpuNsPerCall),
    };
  } catch (error) {
    return failedRun(error);
  }
}

function failedRun(error: unknown): LoadResult {
  return {
    calls: 0,
    errors: 1,
    firstError: error instanceof Error ? error.message : String(error),
    elapsedMs: 0,
    callsPerSecond: 0,
    latency: { count: 0, minUs: 0, meanUs: 0, stdevUs: 0, p50Us: 0, p90Us: 0, p99Us: 0, p999Us: 0, maxUs: 0 },
    stalled: 0,
    cpuUsPerCall: 0,
  };
}
