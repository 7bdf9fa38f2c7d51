import { performance } from 'node:perf_hooks';
import type { XCallOptions, XClient } from '../../xclient/xclient.ts';
import { CheckFailedError } from '../errors.ts';
import type { PhaseRecorder } from '../metrics/phase-recorder.ts';
import { checkBroadcast, type LoadLoop, type LoadTarget, type LoopLimits } from './load-target.ts';

/**
 * The closed model: `concurrency` callers, each starting its next call as soon as the last one
 * ends. Latency runs from the call's start to its end. Each caller is one async loop: no closure
 * or object per call beyond what the RPC call makes.
 */
export class ClosedLoop implements LoadLoop {
  readonly #target: LoadTarget;
  readonly #recorder: PhaseRecorder;
  readonly #concurrency: number;
  readonly #deadlineMs: number;
  readonly #optionsMask: number;
  #remaining: number;
  #optionIndex = 0;
  #callIndex = 0;
  #stopped = false;
  #running: Promise<void> | undefined;

  constructor(target: LoadTarget, recorder: PhaseRecorder, concurrency: number, limits: LoopLimits) {
    this.#target = target;
    this.#recorder = recorder;
    this.#concurrency = concurrency;
    this.#deadlineMs = limits.deadlineMs;
    this.#remaining = limits.maxCalls;
    this.#optionsMask = (target.callOptions?.length ?? 1) - 1;
  }

  run(): Promise<void> {
    if (this.#running === undefined) {
      const { clients, broadcast } = this.#target;
      const callers: Promise<void>[] = [];
      for (let i = 0; i < this.#concurrency; i++) {
        const client = clients[i % clients.length]!;
        callers.push(broadcast ? this.#broadcastCaller(client) : this.#caller(client));
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
    // One clock read per call: a call starts when the caller's previous one ended, so its latency
    // also holds the recording of that one (well under a microsecond), never less than it took.
    let startMs = performance.now();
    while (!this.#stopped && this.#remaining > 0) {
      this.#remaining--;
      const options: XCallOptions | undefined =
        callOptions === undefined ? undefined : callOptions[this.#optionIndex++ & this.#optionsMask];
      let endMs: number;
      try {
        const callArgs = argsAt === undefined ? args : argsAt(this.#callIndex++);
        const outcome = await client.callDetailed(serviceMethod, callArgs, options);
        endMs = performance.now();
        const verdict = check === undefined ? true : check(outcome.reply, callArgs);
        if (verdict === true) recorder.ok(outcome.address, startMs, endMs);
        else recorder.fail(new CheckFailedError(outcome.address, verdict), endMs);
      } catch (error) {
        endMs = performance.now();
        recorder.fail(error, endMs);
      }
      if (endMs >= deadlineMs) this.#stopped = true;
      startMs = endMs;
    }
  }

  async #broadcastCaller(client: XClient): Promise<void> {
    const recorder = this.#recorder;
    const { serviceMethod, args, argsAt, check } = this.#target;
    while (!this.#stopped && this.#remaining > 0) {
      this.#remaining--;
      const startMs = performance.now();
      let endMs: number;
      try {
        const callArgs = argsAt === undefined ? args : argsAt(this.#callIndex++);
        const outcomes = await client.broadcastAll(serviceMethod, callArgs);
        endMs = performance.now();
        if (check !== undefined) checkBroadcast(outcomes, check, callArgs);
        recorder.broadcast(outcomes, startMs, endMs);
      } catch (error) {
        endMs = performance.now();
        recorder.fail(error, endMs);
      }
      if (endMs >= this.#deadlineMs) this.#stopped = true;
    }
  }
}
