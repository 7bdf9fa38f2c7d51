import { performance } from 'node:perf_hooks';
import { LoadLoop, type LoopSlot } from '../../harness/load/load-loop.ts';

/** Bounds the wait for a window's last operations: a hung one fails the window instead of the gate. */
const WINDOW_DRAIN_TIMEOUT_MS = 10_000;

/** Something the gate measures in windows: the RPC path under test, or the reference. */
export interface WindowWorkload {
  /** One operation: an RPC call, or a reference round trip. */
  call(): Promise<unknown>;
  close(): Promise<void>;
}

export interface WindowLimits {
  /** Operations kept in flight. */
  concurrency: number;
  /** No operation starts after this long. */
  durationMs: number;
  /** No more operations start after this many, whatever the time. */
  maxCalls: number;
}

/** What one window measured: operations completed, and the wall and CPU time they took. */
export interface WindowMeasurement {
  calls: number;
  errors: number;
  /** The first error, to say why a window failed. */
  firstError: string | undefined;
  wallMs: number;
  /** User plus system CPU time of the whole process: every thread, the garbage collector's included. */
  cpuUs: number;
}

interface WindowSlot extends LoopSlot {
  readonly done: () => void;
  readonly failed: (error: unknown) => void;
}

/**
 * Runs the load loop with `concurrency` callers for `durationMs` and waits for the last operation
 * to end, so that every operation started is paid for in the CPU time it is divided by.
 */
export async function measureWindow(
  workload: WindowWorkload,
  limits: WindowLimits,
): Promise<WindowMeasurement> {
  const cpuStart = process.cpuUsage();
  let calls = 0;
  let errors = 0;
  let firstError: string | undefined;
  const loop: LoadLoop<WindowSlot> = new LoadLoop(
    {
      slot: (caller) => {
        const slot: WindowSlot = {
          caller,
          startedMs: 0,
          done: () => {
            calls++;
            loop.end(slot, performance.now());
          },
          failed: (error) => {
            errors++;
            firstError ??= error instanceof Error ? error.message : String(error);
            loop.end(slot, performance.now());
          },
        };
        return slot;
      },
      start: (slot) => {
        workload.call().then(slot.done, slot.failed);
      },
    },
    {
      callers: limits.concurrency,
      warmupMs: 0,
      durationMs: limits.durationMs,
      maxCalls: limits.maxCalls,
      drainTimeoutMs: WINDOW_DRAIN_TIMEOUT_MS,
    },
  );
  const outcome = await loop.run();
  const wallMs = performance.now() - loop.measureFromMs;
  const cpu = process.cpuUsage(cpuStart);
  if (outcome.stalled > 0) {
    errors += outcome.stalled;
    firstError ??= `${outcome.stalled} operations did not end within ${WINDOW_DRAIN_TIMEOUT_MS} ms of the window`;
  }
  return { calls, errors, firstError, wallMs, cpuUs: cpu.user + cpu.system };
}
