import { performance } from 'node:perf_hooks';

/** Something the gate measures in slices: the RPC path under test, or the reference. */
export interface SliceWorkload {
  /** One operation: an RPC call, or a reference round trip. */
  call(): Promise<unknown>;
  close(): Promise<void>;
}

export interface SliceLimits {
  /** Operations kept in flight. */
  concurrency: number;
  /** No operation starts after this long. */
  durationMs: number;
  /** No more operations start after this many, whatever the time. */
  maxCalls: number;
}

/** What one slice measured: operations completed, and the wall and CPU time they took. */
export interface SliceMeasurement {
  calls: number;
  errors: number;
  /** The first error, to say why a slice failed. */
  firstError: string | undefined;
  wallMs: number;
  /** User plus system CPU time of the whole process: every thread, the garbage collector's included. */
  cpuUs: number;
}

/**
 * Runs a closed loop of `concurrency` callers for `durationMs` and waits for the last operation
 * to end, so that every operation started is paid for in the CPU time it is divided by.
 */
export async function measureSlice(workload: SliceWorkload, limits: SliceLimits): Promise<SliceMeasurement> {
  const cpuStart = process.cpuUsage();
  const startMs = performance.now();
  const deadlineMs = startMs + limits.durationMs;
  let started = 0;
  let calls = 0;
  let errors = 0;
  let firstError: string | undefined;
  const caller = async (): Promise<void> => {
    while (started < limits.maxCalls && performance.now() < deadlineMs) {
      started++;
      try {
        await workload.call();
        calls++;
      } catch (error) {
        errors++;
        firstError ??= error instanceof Error ? error.message : String(error);
      }
    }
  };
  const callers: Promise<void>[] = [];
  for (let i = 0; i < limits.concurrency; i++) callers.push(caller());
  await Promise.all(callers);
  const wallMs = performance.now() - startMs;
  const cpu = process.cpuUsage(cpuStart);
  return { calls, errors, firstError, wallMs, cpuUs: cpu.user + cpu.system };
}
