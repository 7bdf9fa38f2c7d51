import type { MessagePort } from 'node:worker_threads';
import type { Piscina } from 'piscina';
import type { PhaseAgentFigures } from '../../result/result-schema.ts';
import type { PhasePlan } from '../../scenario/phase-plan.ts';
import type { LoadShareResult } from '../metrics/phase-recorder.ts';
import { PhaseControl, type ThreadProgress } from '../threads/phase-control.ts';
import { createWorkerPool } from '../threads/worker-pool.ts';
import type { PlannedShare } from './load-plan.ts';
import type { LoadShareTask } from './load-worker.ts';

/** The figures of one load host, for a progress line that shows each. */
export interface HostProgress extends ThreadProgress {
  name: string;
}

/**
 * The load threads of one phase while they run, wherever they are: here (a Piscina pool) or on
 * other hosts. The runner drives every kind through this: wait until warmed, go, read, stop.
 */
export interface RunningLoad {
  /** Each thread's recorded share; with `stop()`, what was measured until then. */
  readonly shares: Promise<LoadShareResult[]>;
  allWarmed(): boolean;
  /** Every thread starts measuring at `startAtEpochMs` (Date.now() clock). */
  go(startAtEpochMs: number): Promise<void>;
  stop(): void;
  readonly stopRequested: boolean;
  read(): ThreadProgress;
  /** Per host, when the threads run on several. */
  readHosts?(): HostProgress[];
  /** Each host's own figures of the phase, once the shares are in, when the threads run on several. */
  agentFigures?(): Promise<PhaseAgentFigures[]>;
}

/** Where a run's load threads run. */
export interface PhaseLoad {
  /** How many threads the planned shares of a phase are split over. */
  readonly threads: number;
  /** Between go and the first measured call: enough for every thread (and server) to hear of it. */
  readonly startLeadMs: number;
  /**
   * `livePorts`: one per share, where a thread here posts its live figures (`--metrics-listen`);
   * threads on other hosts have no way to them, and their figures arrive with the phase's result.
   */
  start(shares: readonly PlannedShare[], plan: PhasePlan, livePorts?: readonly MessagePort[]): RunningLoad;
  close(): Promise<void>;
}

const LOAD_WORKER_URL = new URL('./load-worker.ts', import.meta.url);

/** A pool of `threads` load threads. */
export function createLoadPool(threads: number): Piscina {
  return createWorkerPool(LOAD_WORKER_URL, threads);
}

/** A run's load threads in this process. */
export function localPhaseLoad(threads: number, startLeadMs: number): PhaseLoad {
  const pool = createLoadPool(threads);
  return {
    threads,
    startLeadMs,
    start: (planned, _plan, livePorts) => runOnPool(pool, planned, livePorts),
    close: () => pool.destroy(),
  };
}

/**
 * Runs planned shares on a pool of this process, renumbered as threads 0..n-1 of one fresh
 * control block: a run's own load threads, and each remote host's share of a phase.
 */
export function runOnPool(
  pool: Piscina,
  planned: readonly PlannedShare[],
  livePorts?: readonly MessagePort[],
): RunningLoad {
  const control = new PhaseControl(planned.length);
  const shares = Promise.all(
    planned.map((share, thread) => {
      const task: LoadShareTask = { ...share, control: control.buffer, threads: planned.length, thread };
      const port = livePorts?.[thread];
      const run =
        port === undefined
          ? pool.run(task)
          : pool.run({ ...task, live: port } satisfies LoadShareTask, { transferList: [port] });
      return run as Promise<LoadShareResult>;
    }),
  );
  shares.catch(() => control.stop());
  return {
    shares,
    allWarmed: () => control.warmedThreads >= planned.length,
    go: async (startAtEpochMs) => control.go(startAtEpochMs),
    stop: () => control.stop(),
    get stopRequested() {
      return control.stopRequested;
    },
    read: () => control.read(),
  };
}
