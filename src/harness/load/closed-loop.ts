import { performance } from 'node:perf_hooks';
import type { XCallOptions, XClient } from '../../xclient/xclient.ts';
import type { PhaseRecorder } from '../metrics/phase-recorder.ts';
import { concurrencyAt, nextRunMs, peakLevel, type RampSchedule } from './load-schedule.ts';
import {
  checkBroadcast,
  type LoadLoop,
  type LoadTarget,
  type LoopLimits,
  recordReply,
} from './load-target.ts';

/**
 * A closed load whose concurrency follows stages. Callers are numbered over all load threads;
 * this thread runs callers `thread`, `thread + threads`, ..., so that together the threads run
 * exactly the schedule's count.
 */
export interface ClosedRamp {
  concurrency: RampSchedule;
  thread: number;
  threads: number;
}

/**
 * The closed model: `concurrency` callers, each starting its next call as soon as the last one
 * ends. Latency runs from the call's start to its end. Each caller is one async loop: no closure
 * or object per call beyond what the RPC call makes. With a ramp, caller i runs only while the
 * schedule's concurrency exceeds i: a caller the ramp-down retires finishes its call in flight and
 * then sleeps until the schedule needs it again (k6's ramping-vus, with a graceful ramp-down).
 */
export class ClosedLoop implements LoadLoop {
  readonly #target: LoadTarget;
  readonly #recorder: PhaseRecorder;
  readonly #concurrency: number;
  readonly #deadlineMs: number;
  readonly #optionsMask: number;
  readonly #startMs: number;
  readonly #ramp: ClosedRamp | undefined;
  #remaining: number;
  #optionIndex = 0;
  #callIndex = 0;
  #stopped = false;
  #running: Promise<void> | undefined;

  constructor(
    target: LoadTarget,
    recorder: PhaseRecorder,
    concurrency: number,
    limits: LoopLimits,
    ramp?: ClosedRamp,
  ) {
    this.#target = target;
    this.#recorder = recorder;
    this.#concurrency = concurrency;
    this.#ramp = ramp;
    this.#startMs = limits.startMs;
    this.#deadlineMs = limits.deadlineMs;
    this.#remaining = limits.maxCalls;
    this.#optionsMask = (target.callOptions?.length ?? 1) - 1;
  }

  run(): Promise<void> {
    if (this.#running === undefined) {
      const { clients, broadcast } = this.#target;
      const callers: Promise<void>[] = [];
      const ramp = this.#ramp;
      if (ramp === undefined) {
        for (let i = 0; i < this.#concurrency; i++) {
          const client = clients[i % clients.length]!;
          callers.push(broadcast ? this.#broadcastCaller(client) : this.#caller(client));
        }
      } else {
        const peak = peakLevel(ramp.concurrency);
        for (let caller = ramp.thread, i = 0; caller < peak; caller += ramp.threads, i++) {
          callers.push(this.#rampedCaller(clients[i % clients.length]!, ramp.concurrency, caller));
        }
      }
      this.#running = Promise.all(callers).then(() => undefined);
    }
    return this.#running;
  }

  stop(): void {
    this.#stopped = true;
  }

  async #caller(client: XClient): Promise<void> {
    const recorder = this.#recorder;
    const { serviceMethod, args, argsAt, check, callOptions } = this.#target;
    const deadlineMs = this.#deadlineMs;
    // One clock read per call, the XClient's as the reply arrives (outcome.endMs), shared with
    // peak-ewma and outlier detection: a call starts when the caller's previous one ended, so its
    // latency also holds the recording of that one (well under a microsecond), never less than it took.
    let startMs = performance.now();
    while (!this.#stopped && this.#remaining > 0) {
      this.#remaining--;
      const options: XCallOptions | undefined =
        callOptions === undefined ? undefined : callOptions[this.#optionIndex++ & this.#optionsMask];
      let endMs: number;
      try {
        const callArgs = argsAt === undefined ? args : argsAt(this.#callIndex++);
        const outcome = await client.callDetailed(serviceMethod, callArgs, options, startMs);
        endMs = outcome.endMs;
        recordReply(recorder, check, outcome, callArgs, startMs, endMs);
      } catch (error) {
        endMs = performance.now();
        recorder.fail(error, endMs, startMs);
      }
      if (endMs >= deadlineMs) this.#stopped = true;
      startMs = endMs;
    }
  }

  /** A caller that runs while the schedule's concurrency exceeds its number. */
  async #rampedCaller(client: XClient, schedule: RampSchedule, caller: number): Promise<void> {
    while (!this.#stopped && this.#remaining > 0) {
      const startMs = performance.now();
      if (concurrencyAt(schedule, startMs - this.#startMs) <= caller) {
        const resumeMs = this.#startMs + nextRunMs(schedule, caller, startMs - this.#startMs);
        if (resumeMs >= this.#deadlineMs) return;
        await sleepUntil(resumeMs, () => this.#stopped);
        continue;
      }
      this.#remaining--;
      const endMs = this.#target.broadcast
        ? await this.#broadcastOnce(client, startMs)
        : await this.#callOnce(client, startMs);
      if (endMs >= this.#deadlineMs) this.#stopped = true;
    }
  }

  async #broadcastCaller(client: XClient): Promise<void> {
    while (!this.#stopped && this.#remaining > 0) {
      this.#remaining--;
      const endMs = await this.#broadcastOnce(client, performance.now());
      if (endMs >= this.#deadlineMs) this.#stopped = true;
    }
  }

  /**
   * One call started at `startMs`, recorded; resolves to its end. The constant-concurrency
   * caller inlines the same steps: it is the hot path, and an extra await per call shows there.
   */
  async #callOnce(client: XClient, startMs: number): Promise<number> {
    const { serviceMethod, args, argsAt, check, callOptions } = this.#target;
    const options: XCallOptions | undefined =
      callOptions === undefined ? undefined : callOptions[this.#optionIndex++ & this.#optionsMask];
    try {
      const callArgs = argsAt === undefined ? args : argsAt(this.#callIndex++);
      const outcome = await client.callDetailed(serviceMethod, callArgs, options, startMs);
      recordReply(this.#recorder, check, outcome, callArgs, startMs, outcome.endMs);
      return outcome.endMs;
    } catch (error) {
      const endMs = performance.now();
      this.#recorder.fail(error, endMs, startMs);
      return endMs;
    }
  }

  /** One broadcast started at `startMs`, recorded; resolves to its end. */
  async #broadcastOnce(client: XClient, startMs: number): Promise<number> {
    const { serviceMethod, args, argsAt, check } = this.#target;
    try {
      const callArgs = argsAt === undefined ? args : argsAt(this.#callIndex++);
      const outcomes = await client.broadcastAll(serviceMethod, callArgs);
      const endMs = performance.now();
      if (check !== undefined) checkBroadcast(outcomes, check, callArgs);
      this.#recorder.broadcast(outcomes, startMs, endMs);
      return endMs;
    } catch (error) {
      const endMs = performance.now();
      this.#recorder.fail(error, endMs);
      return endMs;
    }
  }
}

/** Sleeps until `atMs` (performance.now() clock), waking every so often to see whether the load stopped. */
async function sleepUntil(atMs: number, stopped: () => boolean): Promise<void> {
  const WAKE_MS = 50;
  for (let waitMs = atMs - performance.now(); waitMs > 0 && !stopped(); waitMs = atMs - performance.now()) {
    await new Promise((resolve) => setTimeout(resolve, Math.min(waitMs, WAKE_MS)));
  }
}
