import { performance } from 'node:perf_hooks';
import { runScenario } from '../../harness/runner.ts';
import { PROBE_TIMEOUT_MS } from '../../harness/targets/external-servers.ts';
import type { PhaseResult, ServerShare } from '../../result/result-schema.ts';
import { Bench, Foo } from '../../rpc/server/builtin-services.ts';
import { Server } from '../../rpc/server/server.ts';
import { scenarioFromOverrides } from '../../scenario/overrides.ts';
import type { LoadedScenario } from '../../scenario/scenario-loader.ts';
import {
  HOSTILE_SERVER_KINDS,
  type HostileServer,
  type HostileServerKind,
  startHostileServer,
} from './hostile-servers.ts';

/** A call gives up after this: a silent server holds a caller for no longer. */
const TARGET_CALL_TIMEOUT_MS = 1_000;
/** Callers over the six servers, round robin: a few are always waiting on the silent one. */
const TARGET_CONCURRENCY = 12;
/** The harness lets calls in flight at the window's end drain for a call timeout and this margin. */
const HARNESS_DRAIN_MARGIN_MS = 1_000;
/**
 * Starting the load thread before the window and closing its clients after: at most 2.3 s beside
 * the probe and the drain in a 20 s soak at load average 4.7 (the run took 29.3 s), where the
 * attacks keep this thread busy; a busier machine is given room.
 */
const THREAD_START_STOP_MS = 10_000;
/**
 * How far past its duration the target run may end: before any load the harness probes every
 * server and waits out the probe timeout on the silent one, and after the window it drains the
 * calls in flight. Longer means a hostile server held the run.
 */
export const TARGET_RUN_GRACE_MS =
  PROBE_TIMEOUT_MS + TARGET_CALL_TIMEOUT_MS + HARNESS_DRAIN_MARGIN_MS + THREAD_START_STOP_MS;

/**
 * A server's outcomes: `errorsByCode` holds the error codes its failed calls ended with, and `OK`
 * for the calls it was taken to answer (never expected of a hostile server).
 */
export interface TargetTally {
  calls: number;
  errorsByCode: Record<string, number>;
}

export type HostileTargetTallies = Record<HostileServerKind, TargetTally>;

/** What the harness's target run made of the well-behaved server and each hostile one. */
export interface TargetRunOutcome {
  wellBehaved: { calls: number; errors: number };
  hostile: HostileTargetTallies;
  /** Failed calls whose error named no server, so that no tally above holds them. */
  unattributedErrors: number;
  /** From the run's start to its end, the probe and the drain included. */
  elapsedMs: number;
}

/**
 * The load tester's side of the soak, through the same harness path as `npm run bench -- --target`:
 * one well-behaved server and every kind of hostile server as the targets of one run of
 * `durationMs` (gob, as Go GeeRPC speaks). The hostile servers fail their probe but stay in the run
 * beside the one that answers, so their calls go on and are counted per server.
 */
export async function runHostileTargets(durationMs: number): Promise<TargetRunOutcome> {
  const wellBehaved = new Server({ codecs: ['gob'] }).register(new Foo()).register(new Bench());
  const hostile: HostileServer[] = [];
  try {
    const wellBehavedAddress = await wellBehaved.listen('tcp@127.0.0.1:0');
    hostile.push(...(await Promise.all(HOSTILE_SERVER_KINDS.map((kind) => startHostileServer(kind)))));
    const scenario = hostileTargetScenario(
      [wellBehavedAddress, ...hostile.map((server) => server.address)],
      durationMs,
    );
    const started = performance.now();
    const result = await runScenario(scenario);
    const elapsedMs = performance.now() - started;
    return talliesOf(result.phases[0], wellBehavedAddress, hostile, elapsedMs);
  } finally {
    await Promise.all([wellBehaved.destroy(), ...hostile.map((server) => server.close())]);
  }
}

/** What `npm run bench -- --target <addresses> --method Foo.Sum --codec gob --warmup 0` builds. */
function hostileTargetScenario(addresses: string[], durationMs: number): LoadedScenario {
  return scenarioFromOverrides({
    name: 'soak-hostile-targets',
    target: { addresses },
    method: 'Foo.Sum',
    args: { Num1: 1, Num2: 2 },
    codec: 'gob',
    callTimeoutMs: TARGET_CALL_TIMEOUT_MS,
    concurrency: TARGET_CONCURRENCY,
    durationMs,
    warmupMs: 0,
  });
}

/** Each server's figures from the phase; all zero when the run measured nothing. */
function talliesOf(
  phase: PhaseResult | undefined,
  wellBehavedAddress: string,
  hostile: readonly HostileServer[],
  elapsedMs: number,
): TargetRunOutcome {
  const byAddress = new Map(phase?.servers.map((share) => [share.address, share]));
  const wellBehaved = byAddress.get(wellBehavedAddress);
  const attributed = phase?.servers.reduce((sum, share) => sum + share.errors, 0) ?? 0;
  return {
    wellBehaved: { calls: wellBehaved?.clientCount ?? 0, errors: wellBehaved?.errors ?? 0 },
    hostile: Object.fromEntries(
      hostile.map((server) => [server.kind, tallyOf(byAddress.get(server.address))]),
    ) as HostileTargetTallies,
    unattributedErrors: (phase?.errors ?? 0) - attributed,
    elapsedMs,
  };
}

/** A server's calls and outcomes; its error codes are summed over its timeline, where the harness keeps them. */
function tallyOf(share: ServerShare | undefined): TargetTally {
  if (share === undefined) return { calls: 0, errorsByCode: {} };
  const errorsByCode: Record<string, number> = {};
  for (const interval of share.timeline) {
    for (const [code, count] of Object.entries(interval.errorsByCode)) {
      errorsByCode[code] = (errorsByCode[code] ?? 0) + count;
    }
  }
  const answered = share.clientCount - share.errors;
  if (answered > 0) errorsByCode.OK = answered;
  return { calls: share.clientCount, errorsByCode };
}
