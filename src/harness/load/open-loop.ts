import { performance } from 'node:perf_hooks';
import type { XClient } from '../../xclient/xclient.ts';
import type { PhaseRecorder } from '../metrics/phase-recorder.ts';
import {
  checkBroadcast,
  type LoadCalls,
  type LoopLimits,
  type ModelLoad,
  recordReply,
} from './load-calls.ts';
import { ArrivalSchedule, type RampSchedule } from './load-schedule.ts';

/** Further away than this, the next call waits on a timer; closer, on the event loop. */
const TIMER_THRESHOLD_MS = 2;

export interface OpenLoopOptions {
  /** Calls per second over all load threads: a constant rate, or stages ramping between rates. */
  rate: RampSchedule;
  maxInFlight: number;
  /**
   * Of the phase's calls numbered 0, 1, 2, ... in order of their intended start, this thread makes
   * `thread`, `thread + threads`, ...: the threads interleave and together follow the schedule.
   */
  thread: number;
  threads: number;
}

/**
 * The open model, as wrk2 and k6's arrival-rate executors: call i is due at the instant the rate
 * schedule says (start + i / rate for a constant rate; see ArrivalSchedule for ramps), whether or not earlier calls have answered, and its latency runs from that intended instant,
 * so a server that stalls is charged for every call it delayed (no coordinated omission).
 * Timers wake the loop for distant calls; near ones are met by polling with setImmediate, so calls
 * leave at their instant rather than in per-millisecond bursts. When `maxInFlight` calls are
 * pending, a due call is dropped and counted as an ERR_DROPPED error.
 */
export class OpenLoop implements ModelLoad {
  readonly #calls: LoadCalls;
  readonly #recorder: PhaseRecorder;
  readonly #schedule: ArrivalSchedule;
  readonly #startMs: number;
  readonly #stride: number;
  readonly #maxInFlight: number;
  readonly #deadlineMs: number;
  readonly #maxCalls: number;
  readonly #optionsMask: number;
  #nextDueMs: number;
  #nextIndex: number;
  #issued = 0;
  #inFlight = 0;
  #clientIndex = 0;
  #optionIndex = 0;
  #callIndex = 0;
  #scheduling = true;
  #timer: NodeJS.Timeout | undefined;
  #immediate: NodeJS.Immediate | undefined;
  #done: (() => void) | undefined;
  #running: Promise<void> | undefined;

  constructor(calls: LoadCalls, recorder: PhaseRecorder, options: OpenLoopOptions, limits: LoopLimits) {
    this.#calls = calls;
    this.#recorder = recorder;
    this.#schedule = new ArrivalSchedule(options.rate);
    this.#startMs = limits.startMs;
    this.#stride = options.threads;
    this.#maxInFlight = options.maxInFlight;
    this.#deadlineMs = limits.deadlineMs;
    this.#maxCalls = limits.maxCalls;
    this.#nextIndex = options.thread;
    this.#nextDueMs = this.#startMs + this.#schedule.dueMs(this.#nextIndex);
    this.#optionsMask = (calls.callOptions?.length ?? 1) - 1;
  }

  run(): Promise<void> {
    this.#running ??= new Promise<void>((resolve) => {
      this.#done = resolve;
      this.#tick();
    });
    return this.#running;
  }

  stop(): void {
    if (!this.#scheduling) return;
    this.#scheduling = false;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    if (this.#immediate !== undefined) clearImmediate(this.#immediate);
    this.#timer = undefined;
    this.#immediate = undefined;
    this.#finishIfIdle();
  }

  readonly #tick = (): void => {
    this.#timer = undefined;
    this.#immediate = undefined;
    if (!this.#scheduling) return;
    const now = performance.now();
    // Calls that fell due while the thread was busy leave now, each still timed from its own instant.
    while (this.#nextDueMs <= now) {
      if (this.#nextDueMs >= this.#deadlineMs || this.#issued >= this.#maxCalls) {
        this.stop();
        return;
      }
      this.#issued++;
      if (this.#inFlight >= this.#maxInFlight) {
        this.#recorder.drop(now);
      } else {
        this.#inFlight++;
        const clients = this.#calls.clients;
        const client = clients[this.#clientIndex++ % clients.length]!;
        void (this.#calls.broadcast
          ? this.#broadcast(client, this.#nextDueMs)
          : this.#call(client, this.#nextDueMs, now));
      }
      this.#nextIndex += this.#stride;
      this.#nextDueMs = this.#startMs + this.#schedule.dueMs(this.#nextIndex);
    }
    if (this.#nextDueMs >= this.#deadlineMs) {
      this.stop();
      return;
    }
    const waitMs = this.#nextDueMs - performance.now();
    if (waitMs > TIMER_THRESHOLD_MS) this.#timer = setTimeout(this.#tick, waitMs - TIMER_THRESHOLD_MS / 2);
    else this.#immediate = setImmediate(this.#tick);
  };

  /** A call due at `dueMs`, sent at `sentMs`: latency counts from the first, the XClient's estimates from the second. */
  async #call(client: XClient, dueMs: number, sentMs: number): Promise<void> {
    const { serviceMethod, args, argsAt, check, callOptions } = this.#calls;
    const options =
      callOptions === undefined ? undefined : callOptions[this.#optionIndex++ & this.#optionsMask];
    try {
      const callArgs = argsAt === undefined ? args : argsAt(this.#callIndex++);
      const outcome = await client.callDetailed(serviceMethod, callArgs, options, sentMs);
      recordReply(this.#recorder, check, outcome, callArgs, dueMs, outcome.endMs);
    } catch (error) {
      this.#recorder.fail(error, performance.now(), dueMs);
    }
    this.#inFlight--;
    this.#finishIfIdle();
  }

  async #broadcast(client: XClient, dueMs: number): Promise<void> {
    const { serviceMethod, args, argsAt, check } = this.#calls;
    try {
      const callArgs = argsAt === undefined ? args : argsAt(this.#callIndex++);
      const outcomes = await client.broadcastAll(serviceMethod, callArgs);
      if (check !== undefined) checkBroadcast(outcomes, check, callArgs);
      this.#recorder.broadcast(outcomes, dueMs, performance.now());
    } catch (error) {
      this.#recorder.fail(error, performance.now());
    }
    this.#inFlight--;
    this.#finishIfIdle();
  }

  #finishIfIdle(): void {
    if (!this.#scheduling && this.#inFlight === 0) {
      this.#done?.();
      this.#done = undefined;
    }
  }
}
