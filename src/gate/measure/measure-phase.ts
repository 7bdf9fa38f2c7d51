import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { basename } from 'node:path';
import { startTypeScriptWorker } from '../../harness/threads/typescript-worker.ts';
import { GateMeasurementError } from '../errors.ts';
import type { PhaseSamples } from '../samples.ts';
import { measureInterleaved, toPhaseSamples } from './interleave.ts';
import type { PhaseWorkerMessage } from './phase-messages.ts';
import { type ProbeSpec, RpcProbe } from './probe.ts';
import { ReferenceEcho } from './reference.ts';

/** Pairs per phase in each round. */
export const DEFAULT_PAIRS_PER_ROUND = 30;
export const DEFAULT_GATE_ROUNDS = 2;
export const DEFAULT_BASELINE_ROUNDS = 5;
export const DEFAULT_WARMUP_PAIRS = 4;
export const DEFAULT_WINDOW_MS = 100;
/** Bounds each window in count as well as in time. */
const MAX_CALLS_PER_WINDOW = 1_000_000;

/** Starting a thread under tsx takes a second or two on a loaded machine; this only bounds a hang. */
const WORKER_START_ALLOWANCE_MS = 60_000;

export interface PhaseMeasureOptions {
  pairs: number;
  windowMs: number;
  /** @default 4 */
  warmupPairs?: number;
}

/** What the phase worker is given. */
export interface PhaseTask {
  spec: ProbeSpec;
  options: PhaseMeasureOptions;
}

/**
 * Measures one scenario phase in a thread of its own, started for it and ended after it. Throws
 * GateMeasurementError when a call failed or the thread did not answer in time.
 */
export async function measurePhase(spec: ProbeSpec, options: PhaseMeasureOptions): Promise<PhaseSamples> {
  const task: PhaseTask = { spec, options };
  const worker = startTypeScriptWorker(new URL('./phase-worker.ts', import.meta.url), {
    workerData: task,
  });
  const pairs = options.pairs + (options.warmupPairs ?? DEFAULT_WARMUP_PAIRS);
  // Each window runs to its end and then waits for its calls: allow a generous multiple.
  const boundMs = WORKER_START_ALLOWANCE_MS + pairs * 2 * options.windowMs * 10;
  let timer: NodeJS.Timeout | undefined;
  try {
    const [message] = (await Promise.race([
      once(worker, 'message'),
      once(worker, 'error').then(([error]) => Promise.reject(error)),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new GateMeasurementError(`probe ${spec.label}: no answer within ${boundMs} ms`)),
          boundMs,
        );
      }),
    ])) as [PhaseWorkerMessage];
    if (message.kind === 'failed') throw new GateMeasurementError(message.message);
    return message.samples;
  } catch (error) {
    if (error instanceof GateMeasurementError) throw error;
    throw new GateMeasurementError(`probe ${spec.label}: its thread failed: ${(error as Error).message}`, {
      cause: error,
    });
  } finally {
    clearTimeout(timer);
    await worker.terminate();
  }
}

/**
 * Measures one scenario phase in this thread: its RPC probe and the reference, in interleaved
 * windows, each started and closed here.
 */
export async function measurePhaseHere(spec: ProbeSpec, options: PhaseMeasureOptions): Promise<PhaseSamples> {
  const probe = await RpcProbe.start(spec);
  let reference: ReferenceEcho | undefined;
  try {
    reference = await ReferenceEcho.start(spec.payloadBytes);
    const pairs = await measureInterleaved(probe, reference, {
      pairs: options.pairs,
      warmupPairs: options.warmupPairs ?? DEFAULT_WARMUP_PAIRS,
      windowMs: options.windowMs,
      concurrency: spec.concurrency,
      maxCallsPerWindow: MAX_CALLS_PER_WINDOW,
    });
    return toPhaseSamples(spec.label, pairs);
  } finally {
    await reference?.close();
    await probe.close();
  }
}

/**
 * What a scenario's probes run, hashed: the baseline of a scenario whose probe set-up changed
 * (servers, the phase's whole RPC set-up and call, concurrency, seed) no longer compares. The
 * service's code is left out, since a changed handler is what the gate judges, and so are the
 * folders of the files named, which differ between a developer's checkout and a CI runner's.
 */
export function fingerprintOf(specs: readonly ProbeSpec[]): string {
  const setUps = specs.map(({ service, ...spec }) => {
    const { setup } = spec;
    const { module, argsFile, ...call } = setup.call;
    // Replacing `setup` keeps its place among the keys, and so the hash of a spec without files.
    return {
      ...spec,
      setup: {
        ...setup,
        call: {
          ...call,
          ...(module === undefined ? {} : { module: basename(module) }),
          ...(argsFile === undefined ? {} : { argsFile: basename(argsFile) }),
        },
      },
      ...(service === undefined ? {} : { service: service.name ?? null }),
    };
  });
  return createHash('sha256').update(JSON.stringify(setUps)).digest('hex').slice(0, 16);
}
