import { performance } from 'node:perf_hooks';
import { LoadLoop } from '../../harness/load/load-loop.ts';
import { createRecordingHistogram, summarizeHistogram } from '../../result/histogram.ts';
import type { LatencySummary } from '../../result/result-schema.ts';
import { msToUs } from '../../util/units.ts';
import type { CallDriver, CallSlot } from './call-driver.ts';

export interface LoadOptions {
  /** Calls kept in flight on the one connection. */
  inFlight: number;
  /** Calls run but not recorded first, so that the JIT and the socket buffers settle. */
  warmupMs: number;
  /** How long calls are recorded. */
  durationMs: number;
  /** No more calls are started after this many, whatever the time. */
  maxCalls: number;
  /** Calls still in flight this long after the end are given up on. */
  drainTimeoutMs: number;
}

export interface LoadResult {
  /** Calls that completed inside the measured window. */
  calls: number;
  errors: number;
  /** The first error's message, to say why a case failed. */
  firstError: string | undefined;
  /** The measured window: from the end of the warm-up to the last recorded completion. */
  elapsedMs: number;
  callsPerSecond: number;
  latency: LatencySummary;
  /** Calls that never ended within drainTimeoutMs of the end. */
  stalled: number;
  /**
   * CPU time of the whole process (client, server thread, GC helpers) per recorded call, over
   * the measured window: what a call costs, however much of the machine others were using.
   */
  cpuUsPerCall: number;
}

/**
 * The load loop over one connection: `inFlight` callers. Completions inside [end of warm-up, end
 * of duration] are counted and their latencies recorded in integer microseconds; the figures are
 * taken as the measured time ends, so that completions while draining change nothing.
 */
export async function runLoad(driver: CallDriver, options: LoadOptions): Promise<LoadResult> {
  const histogram = createRecordingHistogram();
  let calls = 0;
  let errors = 0;
  let firstError: string | undefined;
  let lastRecordedMs = 0;
  let cpuAtMeasureStart: NodeJS.CpuUsage | undefined;
  let cpuUsPerCall = 0;
  let latency: LatencySummary | undefined;
  let stopped = false;
  const loop: LoadLoop<CallSlot> = new LoadLoop(
    {
      slot: (caller) => {
        const slot: CallSlot = {
          caller,
          startedMs: 0,
          complete: () => ended(slot, undefined),
          fail: (error: unknown) => ended(slot, error ?? 'call failed'),
        };
        return slot;
      },
      start: (slot) => driver.start(slot),
    },
    {
      callers: options.inFlight,
      warmupMs: options.warmupMs,
      durationMs: options.durationMs,
      maxCalls: options.maxCalls,
      drainTimeoutMs: options.drainTimeoutMs,
    },
    {
      measureStarted: () => {
        cpuAtMeasureStart = process.cpuUsage();
      },
      measureEnded: () => {
        stopped = true;
        latency = summarizeHistogram(histogram);
        if (cpuAtMeasureStart !== undefined && calls > 0) {
          const cpu = process.cpuUsage(cpuAtMeasureStart);
          cpuUsPerCall = (cpu.user + cpu.system) / calls;
        }
      },
    },
  );
  const ended = (slot: CallSlot, failed: unknown): void => {
    const nowMs = performance.now();
    if (failed !== undefined) {
      errors++;
      firstError ??= failed instanceof Error ? failed.message : String(failed);
    } else if (!stopped && nowMs >= loop.measureFromMs && nowMs < loop.measureUntilMs) {
      histogram.recordValue(msToUs(nowMs - slot.startedMs));
      calls++;
      lastRecordedMs = nowMs;
    }
    loop.end(slot, nowMs);
  };
  try {
    const outcome = await loop.run();
    const elapsedMs = Math.max(lastRecordedMs - loop.measureFromMs, 0);
    return {
      calls,
      errors,
      firstError,
      elapsedMs,
      callsPerSecond: elapsedMs > 0 ? (calls * 1000) / elapsedMs : 0,
      latency: latency ?? summarizeHistogram(histogram),
      stalled: outcome.stalled,
      cpuUsPerCall,
    };
  } finally {
    histogram.destroy();
  }
}
