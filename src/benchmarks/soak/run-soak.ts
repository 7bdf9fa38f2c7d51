import { type ChildProcess, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { UNKNOWN_ERROR_CODE } from '../../harness/errors.ts';
import type { Client } from '../../rpc/client.ts';
import { dial } from '../../rpc/dial.ts';
import { median } from '../../stats/descriptive.ts';
import { RpcError } from '../../util/errors.ts';
import { loaderArgsFor, runnableModule } from '../../util/runnable-module.ts';
import { type AttackTallies, runAttacks, SOAK_ATTACKS } from './hostile-peers.ts';
import {
  type HostileTargetTallies,
  runHostileTargets,
  TARGET_RUN_GRACE_MS,
  type TargetRunOutcome,
} from './hostile-targets.ts';

export const DEFAULT_SOAK_MS = 60_000;
/** Long enough for the timeouts to act many times within a soak, short enough to see it. */
export const SOAK_SERVER_TIMEOUT_MS = 5_000;
/** "Flat": the median RSS of the last third of the run may exceed that of the second third by this much. */
export const FLAT_RSS_GROWTH_BYTES = 32 * 1024 * 1024;
const WELL_BEHAVED_IN_FLIGHT = 16;
const RSS_SAMPLE_MS = 1_000;
const START_LIMIT_MS = 30_000;

export interface SoakOptions {
  /** The `npm run serve` script to run as the server under attack. */
  serveScript: URL;
  durationMs?: number;
  onSample?: (elapsedMs: number, rssBytes: number, okCalls: number) => void;
}

export interface SoakResult {
  durationMs: number;
  serverArgs: string[];
  /** The server's RSS once a second, from /proc. */
  rssBytes: number[];
  rssStartBytes: number;
  rssMaxBytes: number;
  /** Median of the last third of the samples minus the median of the second third. */
  rssGrowthBytes: number;
  okCalls: number;
  failedCalls: number;
  firstFailure?: string;
  /** Calls/s of the well-behaved client over the whole soak. */
  callsPerSecond: number;
  /** The slowest well-behaved call, in ms. */
  maxLatencyMs: number;
  attacks: AttackTallies;
  /**
   * The other way round: this process, as the load tester, runs the harness against a
   * well-behaved server and every kind of hostile server at once; these are the hostile ones.
   */
  hostileTargets: HostileTargetTallies;
  /** The well-behaved server of that run. */
  wellBehavedTarget: { calls: number; errors: number };
  /** Failed calls of that run whose error named no server. */
  unattributedTargetErrors: number;
  /** How long that run took, probe and drain included; at most durationMs + TARGET_RUN_GRACE_MS. */
  targetRunElapsedMs: number;
  /** This process's RSS once a second while that run lasted. */
  clientRssBytes: number[];
  /** As rssGrowthBytes, for this process. */
  clientRssGrowthBytes: number;
  /** Lines the server logged: its log is rate-limited however many peers misbehave. */
  serverLogLines: number;
  serverExitedEarly: boolean;
  passed: boolean;
}

/**
 * Runs `npm run serve` in its own process under every known attack from several connections,
 * beside a well-behaved client, and samples the server's RSS. Meanwhile the harness, in this
 * process, runs one target run against a well-behaved server and every kind of hostile server.
 */
export async function runSoak(options: SoakOptions): Promise<SoakResult> {
  const durationMs = options.durationMs ?? DEFAULT_SOAK_MS;
  const serverArgs = soakServerArgs();
  const server = startSoakServer(options.serveScript, serverArgs);
  try {
    const [tcp, http] = await listeningAddresses(server.child.stdout!, 2);
    const stop = new AbortController();
    const attacks = runAttacks({ tcp: tcp!, http: http! }, SOAK_ATTACKS, stop.signal);
    const targetRun = runHostileTargets(durationMs);
    // Awaited below, after the soak's time: this only keeps an early failure from counting as unhandled.
    targetRun.catch(() => undefined);
    const clientRss = sampleOwnRss(targetRun, durationMs + TARGET_RUN_GRACE_MS);
    const client = await dial(tcp!);
    const calls: WellBehavedTally = { okCalls: 0, failedCalls: 0, firstFailure: undefined, maxLatencyMs: 0 };
    const started = performance.now();
    const workers = Array.from({ length: WELL_BEHAVED_IN_FLIGHT }, () =>
      callWellBehaved(client, calls, stop.signal),
    );
    const rssBytes = await sampleServerRss(server, started, durationMs, calls, options.onSample);
    const elapsedMs = performance.now() - started;
    stop.abort();
    await Promise.all(workers);
    await client.close();
    const tallies = await attacks;
    const rssGrowthBytes = lastThirdGrowth(rssBytes);
    const targets = await targetRun;
    const clientRssBytes = await clientRss;
    const clientRssGrowthBytes = lastThirdGrowth(clientRssBytes);
    const { okCalls, failedCalls } = calls;
    return {
      durationMs: elapsedMs,
      serverArgs,
      rssBytes,
      rssStartBytes: rssBytes[0] ?? 0,
      rssMaxBytes: Math.max(0, ...rssBytes),
      rssGrowthBytes,
      okCalls,
      failedCalls,
      firstFailure: calls.firstFailure,
      callsPerSecond: okCalls / (elapsedMs / 1000),
      maxLatencyMs: calls.maxLatencyMs,
      attacks: tallies,
      hostileTargets: targets.hostile,
      wellBehavedTarget: targets.wellBehaved,
      unattributedTargetErrors: targets.unattributedErrors,
      targetRunElapsedMs: targets.elapsedMs,
      clientRssBytes,
      clientRssGrowthBytes,
      serverLogLines: server.logLines,
      serverExitedEarly: server.exited,
      passed:
        !server.exited &&
        failedCalls === 0 &&
        okCalls > 0 &&
        rssGrowthBytes <= FLAT_RSS_GROWTH_BYTES &&
        clientRssGrowthBytes <= FLAT_RSS_GROWTH_BYTES &&
        targetRunPassed(targets, durationMs),
    };
  } finally {
    server.child.kill('SIGKILL');
  }
}

/** Both transports on free ports, and timeouts short enough to act many times within the soak. */
function soakServerArgs(): string[] {
  const timeout = `${SOAK_SERVER_TIMEOUT_MS}ms`;
  return [
    '--listen',
    'tcp@127.0.0.1:0',
    '--listen',
    'http@127.0.0.1:0',
    '--idle-timeout',
    timeout,
    '--frame-timeout',
    timeout,
  ];
}

/** The server under attack, with the lines it has logged and whether it has exited, kept up to date. */
interface SoakServer {
  child: ChildProcess;
  logLines: number;
  exited: boolean;
}

function startSoakServer(serveScriptUrl: URL, serverArgs: readonly string[]): SoakServer {
  const serveScript = runnableModule(serveScriptUrl);
  const child = spawn(
    process.execPath,
    [...loaderArgsFor(serveScript), fileURLToPath(serveScript), ...serverArgs],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const server: SoakServer = { child, logLines: 0, exited: false };
  child.stderr!.on('data', (chunk: Buffer) => {
    for (const byte of chunk) if (byte === 0x0a) server.logLines++;
  });
  child.once('exit', () => {
    server.exited = true;
  });
  return server;
}

/** What the well-behaved client's calls came to so far. */
interface WellBehavedTally {
  okCalls: number;
  failedCalls: number;
  firstFailure: string | undefined;
  /** The slowest call, in ms. */
  maxLatencyMs: number;
}

/** One of the well-behaved client's callers: a call at a time until the soak ends. */
async function callWellBehaved(client: Client, tally: WellBehavedTally, signal: AbortSignal): Promise<void> {
  while (!signal.aborted) {
    const begun = performance.now();
    try {
      const reply = await client.call('Foo.Sum', { Num1: tally.okCalls, Num2: 1 });
      if (typeof reply !== 'number') throw new Error(`Foo.Sum replied ${JSON.stringify(reply)}`);
      tally.okCalls++;
    } catch (error) {
      tally.failedCalls++;
      tally.firstFailure ??= error instanceof RpcError ? `${error.code}: ${error.message}` : String(error);
    }
    tally.maxLatencyMs = Math.max(tally.maxLatencyMs, performance.now() - begun);
  }
}

/**
 * The target run passed when the well-behaved server answered every call, every hostile server was
 * called and every one of its calls failed with a typed error, and the run ended on time.
 */
function targetRunPassed(targets: TargetRunOutcome, durationMs: number): boolean {
  const { wellBehaved, hostile } = targets;
  const hostileFailedTyped = Object.values(hostile).every(
    (tally) =>
      tally.calls > 0 &&
      tally.errorsByCode.OK === undefined &&
      tally.errorsByCode[UNKNOWN_ERROR_CODE] === undefined,
  );
  return (
    wellBehaved.calls > 0 &&
    wellBehaved.errors === 0 &&
    hostileFailedTyped &&
    targets.unattributedErrors === 0 &&
    targets.elapsedMs <= durationMs + TARGET_RUN_GRACE_MS
  );
}

/** The server's RSS once a second, until the soak's time is up or the server is gone. */
function sampleServerRss(
  server: SoakServer,
  started: number,
  durationMs: number,
  calls: WellBehavedTally,
  onSample: SoakOptions['onSample'],
): Promise<number[]> {
  return sampleEverySecond(
    () => performance.now() - started < durationMs && !server.exited,
    async () => {
      const rss = await readRss(server.child.pid!);
      if (rss !== undefined) onSample?.(performance.now() - started, rss, calls.okCalls);
      return rss;
    },
  );
}

/**
 * This process's RSS once a second until the target run settles (its probe and drain outlast the
 * soak's time), for at most `limitMs`.
 */
function sampleOwnRss(run: Promise<unknown>, limitMs: number): Promise<number[]> {
  let settled = false;
  run.then(
    () => (settled = true),
    () => (settled = true),
  );
  const started = performance.now();
  return sampleEverySecond(
    () => !settled && performance.now() - started < limitMs,
    () => process.memoryUsage.rss(),
  );
}

/** `read()` after each RSS_SAMPLE_MS while `going()`; stops early when a reading is undefined. */
async function sampleEverySecond(
  going: () => boolean,
  read: () => number | undefined | Promise<number | undefined>,
): Promise<number[]> {
  const samples: number[] = [];
  while (going()) {
    await sleep(RSS_SAMPLE_MS);
    const sample = await read();
    if (sample === undefined) break;
    samples.push(sample);
  }
  return samples;
}

/** Median of the last third of the samples minus the median of the second third. */
function lastThirdGrowth(samples: readonly number[]): number {
  const third = Math.floor(samples.length / 3);
  return third > 0 ? median(samples.slice(2 * third)) - median(samples.slice(third, 2 * third)) : 0;
}

/** The `rpc server listening on <address>` lines `npm run serve` writes once it listens. */
function listeningAddresses(stderr: NodeJS.ReadableStream, count: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(
      () => reject(new Error(`the server did not listen within ${START_LIMIT_MS} ms:\n${text}`)),
      START_LIMIT_MS,
    );
    stderr.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const addresses = [...text.matchAll(/listening on (\S+)/g)].map((match) => match[1]!);
      if (addresses.length >= count) {
        clearTimeout(timer);
        resolve(addresses);
      }
    });
  });
}

/** Resident set size of a Linux process, from /proc; undefined once it is gone. */
async function readRss(pid: number): Promise<number | undefined> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => undefined);
  const kib = status?.match(/^VmRSS:\s+(\d+) kB/m)?.[1];
  return kib === undefined ? undefined : Number(kib) * 1024;
}
