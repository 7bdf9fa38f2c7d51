import type { LoadModel } from '../../scenario/scenario-schema.ts';
import { HarnessWorkerError } from '../errors.ts';
import type { RampSchedule } from './load-schedule.ts';
import type { LoadShareTask, ShareLoad } from './load-worker.ts';

/**
 * The plan of a phase: how its load is divided among load threads and hosts. Every split of a
 * phase is here: counts over threads, the call budget, each thread's load, and threads over hosts.
 */

/** A load thread's task as planned, before it is bound to the control block of the threads that run it. */
export type PlannedShare = Omit<LoadShareTask, 'control'>;

/** `total` in `parts` whole shares differing by at most one, the larger ones first. */
export function splitEvenly(total: number, parts: number): number[] {
  const base = Math.floor(total / parts);
  const extra = total - base * parts;
  return Array.from({ length: parts }, (_, index) => base + (index < extra ? 1 : 0));
}

/**
 * A call budget over load threads, every share but the last a multiple of `servers`: each
 * thread round-robins on its own, and a multiple of n calls spreads exactly evenly, so the total
 * stays within one call per server of even.
 */
export function splitCallBudget(calls: number, threads: number, servers: number): number[] {
  if (threads === 1) return [calls];
  const roundShare = Math.floor(calls / threads / servers) * servers;
  const shares = Array.from({ length: threads - 1 }, () => roundShare);
  shares.push(calls - roundShare * (threads - 1));
  return shares;
}

/** Of one load thread among `threads`: its place, and its even shares of the phase's limits. */
export interface ThreadShare {
  thread: number;
  threads: number;
  /** Its share of a constant closed load's concurrency. */
  concurrency: number;
  /** Its share of the open model's maxInFlight. */
  maxInFlight: number;
}

/**
 * One load thread's share of a phase's load. The open model and ramps give every thread the whole
 * schedule and a place in it (see OpenLoop and ClosedRamp), so that the threads' calls or callers
 * add up to exactly what the schedule says.
 */
export function shareLoad(load: LoadModel, share: ThreadShare): ShareLoad {
  const { thread, threads } = share;
  switch (load.model) {
    case 'closed':
      if (!('stages' in load)) return { model: 'closed', concurrency: share.concurrency };
      return {
        model: 'closed',
        concurrency: share.concurrency,
        ramp: { concurrency: rampOf(load.startConcurrency, load.stages, 'concurrency'), thread, threads },
      };
    case 'open':
      return {
        model: 'open',
        rate:
          'stages' in load
            ? rampOf(load.startRatePerSecond, load.stages, 'ratePerSecond')
            : { start: load.ratePerSecond, stages: [] },
        maxInFlight: Math.max(1, share.maxInFlight),
        thread,
        threads,
      };
    case 'search':
      throw new HarnessWorkerError(
        'a capacity search runs its steps as open loads; it has no load of its own',
      );
  }
}

function rampOf<K extends string>(
  start: number,
  stages: readonly ({ durationMs: number } & Record<K, number>)[],
  level: K,
): RampSchedule {
  return { start, stages: stages.map((stage) => ({ durationMs: stage.durationMs, target: stage[level] })) };
}

export interface ThreadsOf {
  name: string;
  threads: number;
}

/**
 * A phase's load threads over the load hosts, in order: the first host runs the first `threads`
 * shares, and so on. The shares were planned for all the hosts' threads together (concurrency,
 * rate and call budget split as over the threads of one run), so the load is the same as one run
 * with that many threads, and each host's share of a call budget is all but one share a multiple
 * of the server count (its round robin stays within one call per server of even).
 */
export function assignShares(
  hosts: readonly ThreadsOf[],
  planned: readonly PlannedShare[],
): Map<string, PlannedShare[]> {
  const total = hosts.reduce((sum, host) => sum + host.threads, 0);
  if (total !== planned.length) {
    throw new RangeError(`${planned.length} shares planned for ${total} threads on ${hosts.length} hosts`);
  }
  const assigned = new Map<string, PlannedShare[]>();
  let next = 0;
  for (const host of hosts) {
    assigned.set(host.name, planned.slice(next, next + host.threads));
    next += host.threads;
  }
  return assigned;
}
