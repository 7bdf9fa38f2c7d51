import type { LoadModel } from '../../scenario/scenario-schema.ts';
import { HarnessWorkerError } from '../errors.ts';
import type { RampSchedule } from './load-schedule.ts';
import type { SliceLoad } from './load-worker.ts';

/** Of one load thread among `threads`: its place, and its even shares of the phase's limits. */
export interface SliceShare {
  thread: number;
  threads: number;
  /** Its share of a constant closed load's concurrency. */
  concurrency: number;
  /** Its share of the open model's maxInFlight. */
  maxInFlight: number;
}

/**
 * One load thread's part of a phase's load. The open model and ramps give every thread the whole
 * schedule and a place in it (see OpenLoop and ClosedRamp), so that the threads' calls or callers
 * add up to exactly what the schedule says.
 */
export function sliceLoad(load: LoadModel, share: SliceShare): SliceLoad {
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
