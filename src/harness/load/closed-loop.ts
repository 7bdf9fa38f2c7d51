import { performance } from 'node:perf_hooks';
import { MAX_TIMER_MS } from '../../util/units.ts';
import type {
  BroadcastOutcome,
  CallOutcome,
  CallReceiver,
  XCallOptions,
  XClient,
} from '../../xclient/xclient.ts';
import type { PhaseRecorder } from '../metrics/phase-recorder.ts';
import {
  checkBroadcast,
  type LoadCalls,
  type LoopLimits,
  type ModelLoad,
  recordReply,
} from './load-calls.ts';
import { LoadLoop, type LoopDriver, type LoopSlot } from './load-loop.ts';
import { concurrencyAt, nextRunMs, peakLevel, type RampSchedule } from './load-schedule.ts';

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
 * A caller's slot: its client, the arguments of its call in flight, its outcome and its reply
 * handlers, made once: the XClient delivers each call's end to it (callInto).
 */
interface CallerSlot extends LoopSlot, CallReceiver {
  readonly client: XClient;
  /** Its number among the callers of every load thread (a ramp's). */
  readonly rampCaller: number;
  args: unknown;
  readonly onBroadcast: (outcomes: BroadcastOutcome<unknown>[]) => void;
}

/**
 * The closed model on the load loop: `concurrency` callers, each starting its next call as soon
 * as the last one ends. Latency runs from the call's start to its end: one clock read per call,
 * the XClient's as the reply arrives (outcome.endMs), shared with peak-ewma and outlier detection.
 * A call starts when the caller's previous one ended, so its latency also holds the recording of
 * that one (well under a microsecond), never less than it took. With a ramp, caller i runs only
 * while the schedule's concurrency exceeds i: a caller the ramp-down retires finishes its call in
 * flight and then waits until the schedule needs it again (k6's ramping-vus, graceful ramp-down).
 */
export class ClosedLoop implements ModelLoad, LoopDriver<CallerSlot> {
  readonly #calls: LoadCalls;
  readonly #recorder: PhaseRecorder;
  readonly #optionsMask: number;
  readonly #startMs: number;
  readonly #ramp: ClosedRamp | undefined;
  readonly #loop: LoadLoop<CallerSlot>;
  #optionIndex = 0;
  #callIndex = 0;
  #running: Promise<void> | undefined;
  readonly waitMs: ((slot: CallerSlot, nowMs: number) => number) | undefined;

  constructor(
    calls: LoadCalls,
    recorder: PhaseRecorder,
    concurrency: number,
    limits: LoopLimits,
    ramp?: ClosedRamp,
  ) {
    this.#calls = calls;
    this.#recorder = recorder;
    this.#ramp = ramp;
    this.#startMs = limits.startMs;
    this.#optionsMask = (calls.callOptions?.length ?? 1) - 1;
    // Read by the loop only when defined: a constant load pays nothing for ramps.
    this.waitMs = ramp === undefined ? undefined : (slot, nowMs) => this.#rampWaitMs(ramp, slot, nowMs);
    const callers =
      ramp === undefined
        ? concurrency
        : Math.max(0, Math.ceil((peakLevel(ramp.concurrency) - ramp.thread) / ramp.threads));
    this.#loop = new LoadLoop(this, {
      callers,
      warmupMs: 0,
      durationMs: limits.deadlineMs - limits.startMs,
      maxCalls: limits.maxCalls,
      // The load thread bounds the drain of either model (and then abandons what is left): run()
      // resolves only once every call has ended, so that an abandoned call is recorded too.
      drainTimeoutMs: MAX_TIMER_MS,
      startMs: limits.startMs,
    });
  }

  run(): Promise<void> {
    this.#running ??= this.#loop.run().then(() => undefined);
    return this.#running;
  }

  stop(): void {
    this.#loop.stop();
  }

  slot(caller: number): CallerSlot {
    const loop = this.#loop;
    const recorder = this.#recorder;
    const { check } = this.#calls;
    const slot: CallerSlot = {
      caller,
      startedMs: 0,
      client: this.#calls.clients[caller % this.#calls.clients.length]!,
      rampCaller: this.#ramp === undefined ? caller : this.#ramp.thread + caller * this.#ramp.threads,
      args: undefined,
      outcome: { reply: undefined, address: '', attempts: 0, endMs: 0 },
      answered: (outcome: CallOutcome<unknown>) => {
        recordReply(recorder, check, outcome, slot.args, slot.startedMs, outcome.endMs);
        loop.end(slot, outcome.endMs);
      },
      onBroadcast: (outcomes) => {
        const endMs = performance.now();
        if (check !== undefined) checkBroadcast(outcomes, check, slot.args);
        recorder.broadcast(outcomes, slot.startedMs, endMs);
        loop.end(slot, endMs);
      },
      failed: (error: unknown) => {
        const endMs = performance.now();
        recorder.fail(error, endMs, this.#calls.broadcast ? undefined : slot.startedMs);
        loop.end(slot, endMs);
      },
    };
    return slot;
  }

  start(slot: CallerSlot): void {
    const { serviceMethod, args, argsAt, callOptions, broadcast } = this.#calls;
    try {
      slot.args = argsAt === undefined ? args : argsAt(this.#callIndex++);
    } catch (error) {
      // A throwing args function fails the call; later, so that a run of them cannot deepen the stack.
      queueMicrotask(() => slot.failed(error));
      return;
    }
    if (broadcast) {
      slot.client.broadcastAll(serviceMethod, slot.args).then(slot.onBroadcast, slot.failed);
      return;
    }
    const options: XCallOptions | undefined =
      callOptions === undefined ? undefined : callOptions[this.#optionIndex++ & this.#optionsMask];
    slot.client.callInto(serviceMethod, slot.args, options, slot.startedMs, slot);
  }

  /** 0 while the schedule's concurrency exceeds the caller's number, else the time until it does. */
  #rampWaitMs(ramp: ClosedRamp, slot: CallerSlot, nowMs: number): number {
    const elapsedMs = nowMs - this.#startMs;
    if (concurrencyAt(ramp.concurrency, elapsedMs) > slot.rampCaller) return 0;
    return Math.max(1, nextRunMs(ramp.concurrency, slot.rampCaller, elapsedMs) - elapsedMs);
  }
}
