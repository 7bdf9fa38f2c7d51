import { performance } from 'node:perf_hooks';

/** A phase without `calls` still stops after this many: every load is bounded in count and time. */
export const MAX_CALLS_PER_PHASE = 100_000_000;

/** A retired caller the pacing will need again sleeps at most this long between looks at the loop. */
const PACING_WAKE_MS = 50;

/** How a load loop is bounded: callers, warm-up, measured time, calls, and the wait for the last ones. */
export interface LoopBounds {
  /** Callers, each keeping one call in flight. */
  callers: number;
  /** Calls run but not measured first, from the loop's start. 0: measuring starts at once. */
  warmupMs: number;
  /** How long calls are measured after the warm-up; no call starts after that. */
  durationMs: number;
  /** No more calls are started after this many (warm-up included), whatever the time. */
  maxCalls: number;
  /** Calls still in flight this long after the measured time are given up on: run() resolves. */
  drainTimeoutMs: number;
  /** The loop's start (performance.now() clock); now when omitted. */
  startMs?: number;
}

/** One caller of a load loop: the driver starts its call and ends it by `loop.end(slot, endMs)`. */
export interface LoopSlot {
  /** The caller's number, 0 .. callers − 1. */
  readonly caller: number;
  /** When its current call started (performance.now() clock). */
  startedMs: number;
}

/** What a load loop calls: how to start one call on a slot. Per-slot state lives on the driver's slots. */
export interface LoopDriver<S extends LoopSlot> {
  /** A slot of caller `caller`, made once: what a call needs besides its start is kept on it. */
  slot(caller: number): S;
  /** Starts one call on `slot`; its end must reach `loop.end(slot, endMs)` exactly once. */
  start(slot: S): void;
  /**
   * How long caller `slot.caller` waits before its next call at `nowMs` (a ramp's retired caller):
   * 0 to call now. Absent: every caller always calls. Read only when present.
   */
  waitMs?(slot: S, nowMs: number): number;
}

/** Rare moments of a loop, for what is measured once per loop rather than per call (CPU time). */
export interface LoopHooks {
  /** The warm-up ended: calls ending from now on are measured. */
  measureStarted?(nowMs: number): void;
  /** The measured time ended (or stop() was called, or the call budget was spent). */
  measureEnded?(nowMs: number): void;
}

/** How a load loop ended. */
export interface LoopOutcome {
  /** Calls started, warm-up included. */
  started: number;
  /** Calls still in flight when run() gave up on them (drainTimeoutMs after the measured time). */
  stalled: number;
  /** When the warm-up ended and when the measured time ended (performance.now() clock). */
  measureFromMs: number;
  measureEndedMs: number;
}

/**
 * The load loop: `callers` slots each start a call and, as soon as it ends, the next one — a
 * closed loop, bounded in time (warm-up + measured time + drain) and in count. A call starts at
 * the instant its predecessor ended: one clock read per call, the driver's. Nothing is allocated
 * per call here; what a call records is the driver's. The harness's closed model, the core
 * benchmark and the gate's windows all run on it.
 */
export class LoadLoop<S extends LoopSlot> {
  readonly measureFromMs: number;
  readonly measureUntilMs: number;
  readonly #driver: LoopDriver<S>;
  readonly #hooks: LoopHooks;
  readonly #bounds: LoopBounds;
  readonly #startMs: number;
  readonly #paced: boolean;
  #warming: boolean;
  #stopped = false;
  #started = 0;
  #active = 0;
  #measureEndedMs = 0;
  #stopTimer: NodeJS.Timeout | undefined;
  #drainTimer: NodeJS.Timeout | undefined;
  #resolve: ((outcome: LoopOutcome) => void) | undefined;
  #running: Promise<LoopOutcome> | undefined;
  #idle: Promise<void>;
  #onIdle: () => void = () => {};

  constructor(driver: LoopDriver<S>, bounds: LoopBounds, hooks: LoopHooks = {}) {
    this.#driver = driver;
    this.#bounds = bounds;
    this.#hooks = hooks;
    this.#paced = driver.waitMs !== undefined;
    this.#startMs = bounds.startMs ?? performance.now();
    this.measureFromMs = this.#startMs + bounds.warmupMs;
    this.measureUntilMs = this.measureFromMs + bounds.durationMs;
    this.#warming = bounds.warmupMs > 0;
    this.#idle = new Promise((resolve) => {
      this.#onIdle = resolve;
    });
  }

  /** Calls in flight or callers waiting. */
  get active(): number {
    return this.#active;
  }

  /** Starts the callers; resolves once none is left in flight, or drainTimeoutMs after the measured time. */
  run(): Promise<LoopOutcome> {
    this.#running ??= new Promise<LoopOutcome>((resolve) => {
      this.#resolve = resolve;
      if (!this.#warming) this.#hooks.measureStarted?.(this.#startMs);
      // Stops the loop even when no call ever ends.
      this.#stopTimer = setTimeout(() => this.stop(), Math.max(0, this.measureUntilMs - performance.now()));
      this.#active = this.#bounds.callers;
      const nowMs = performance.now();
      for (let caller = 0; caller < this.#bounds.callers; caller++)
        this.#next(this.#driver.slot(caller), nowMs);
      if (this.#bounds.callers === 0) this.stop();
    });
    return this.#running;
  }

  /** Resolves once no call is in flight and no caller waits, whatever the drain timeout; at most `boundMs` later. */
  async idle(boundMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.#idle, new Promise<void>((resolve) => (timer = setTimeout(resolve, boundMs)))]);
    clearTimeout(timer);
  }

  /** Starts no more calls; those in flight finish (up to the drain timeout). */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    clearTimeout(this.#stopTimer);
    this.#measureEndedMs = performance.now();
    this.#hooks.measureEnded?.(this.#measureEndedMs);
    if (this.#active === 0) this.#finish();
    else this.#drainTimer ??= setTimeout(() => this.#finish(), this.#bounds.drainTimeoutMs);
  }

  /** The call on `slot` ended at `endMs` (performance.now() clock): the caller goes on or retires. */
  end(slot: S, endMs: number): void {
    if (endMs >= this.measureUntilMs) this.stop();
    else if (this.#warming && endMs >= this.measureFromMs) {
      this.#warming = false;
      this.#hooks.measureStarted?.(endMs);
    }
    this.#next(slot, endMs);
  }

  #next(slot: S, nowMs: number): void {
    if (this.#stopped || this.#started >= this.#bounds.maxCalls) {
      this.#retire();
      return;
    }
    if (this.#paced) {
      const waitMs = this.#driver.waitMs!(slot, nowMs);
      if (waitMs > 0) {
        if (nowMs + waitMs >= this.measureUntilMs) this.#retire();
        else setTimeout(() => this.#next(slot, performance.now()), Math.min(waitMs, PACING_WAKE_MS));
        return;
      }
    }
    this.#started++;
    slot.startedMs = nowMs;
    this.#driver.start(slot);
  }

  #retire(): void {
    if (--this.#active > 0) return;
    this.#onIdle();
    // The budget spent or every caller retired before the time: the measured time ends here.
    if (!this.#stopped) this.stop();
    else this.#finish();
  }

  #finish(): void {
    if (this.#resolve === undefined) return;
    clearTimeout(this.#drainTimer);
    clearTimeout(this.#stopTimer);
    const resolve = this.#resolve;
    this.#resolve = undefined;
    resolve({
      started: this.#started,
      stalled: this.#active,
      measureFromMs: this.measureFromMs,
      measureEndedMs: this.#measureEndedMs,
    });
  }
}
