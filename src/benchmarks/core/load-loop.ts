import { performance } from 'node:perf_hooks';
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

type Phase = 'warmup' | 'measure' | 'stopped';

/**
 * A closed loop: `inFlight` slots each start a call, and start the next one as soon as it ends.
 * Completions inside [end of warm-up, end of duration] are counted and their latencies recorded
 * in integer microseconds. Bounded in time (warm-up + duration + drain timeout) and in count.
 */
export function runLoad(driver: CallDriver, options: LoadOptions): Promise<LoadResult> {
  const histogram = createRecordingHistogram();
  const startMs = performance.now();
  const measureFromMs = startMs + options.warmupMs;
  const measureUntilMs = measureFromMs + options.durationMs;
  let phase: Phase = options.warmupMs > 0 ? 'warmup' : 'measure';
  let started = 0;
  let running = 0;
  let calls = 0;
  let errors = 0;
  let firstError: string | undefined;
  let lastRecordedMs = measureFromMs;
  let cpuAtMeasureStart = phase === 'measure' ? process.cpuUsage() : undefined;
  let cpuUsPerCall = 0;

  return new Promise<LoadResult>((resolve) => {
    let latency: LatencySummary | undefined;
    let drainTimer: NodeJS.Timeout | undefined;
    let finished = false;
    const finish = (): void => {
      if (finished) return;
      finished = true;
      clearTimeout(drainTimer);
      clearTimeout(stopTimer);
      latency ??= summarizeHistogram(histogram);
      histogram.destroy();
      const elapsedMs = Math.max(lastRecordedMs - measureFromMs, 0);
      resolve({
        calls,
        errors,
        firstError,
        elapsedMs,
        callsPerSecond: elapsedMs > 0 ? (calls * 1000) / elapsedMs : 0,
        latency,
        stalled: running,
        cpuUsPerCall,
      });
    };
    const stop = (): void => {
      if (phase === 'stopped') return;
      phase = 'stopped';
      // Taken now: completions after the window must not change the figures.
      latency = summarizeHistogram(histogram);
      if (cpuAtMeasureStart !== undefined && calls > 0) {
        const cpu = process.cpuUsage(cpuAtMeasureStart);
        cpuUsPerCall = (cpu.user + cpu.system) / calls;
      }
      if (running === 0) finish();
      else drainTimer = setTimeout(finish, options.drainTimeoutMs);
    };
    // Stops the loop even when no call ever completes.
    const stopTimer = setTimeout(stop, options.warmupMs + options.durationMs);

    /** `nowMs` is when the slot's previous call ended: one clock read serves both. */
    const next = (slot: CallSlot, nowMs: number): void => {
      if (phase === 'stopped' || started >= options.maxCalls) {
        if (--running === 0) {
          if (phase !== 'stopped') stop();
          else finish();
        }
        return;
      }
      started++;
      slot.startedMs = nowMs;
      driver.start(slot);
    };
    const ended = (slot: CallSlot, failed: unknown): void => {
      const nowMs = performance.now();
      if (phase === 'warmup' && nowMs >= measureFromMs) {
        phase = 'measure';
        cpuAtMeasureStart = process.cpuUsage();
      }
      if (phase === 'measure') {
        if (nowMs >= measureUntilMs) {
          stop();
        } else if (failed === undefined) {
          histogram.recordValue(msToUs(nowMs - slot.startedMs));
          calls++;
          lastRecordedMs = nowMs;
        }
      }
      if (failed !== undefined) {
        errors++;
        firstError ??= failed instanceof Error ? failed.message : String(failed);
      }
      next(slot, nowMs);
    };

    for (let i = 0; i < options.inFlight; i++) {
      const slot: CallSlot = {
        startedMs: 0,
        complete: () => ended(slot, undefined),
        fail: (error: unknown) => ended(slot, error ?? 'call failed'),
      };
      running++;
      next(slot, performance.now());
    }
  });
}
