const INT_SLOTS = 4;
const WARMED = 0;
const GO = 1;
const STOP = 2;
const PER_THREAD = 3;

/** What a load thread publishes about its measured calls, read by the runner for the progress bar. */
export interface ThreadProgress {
  calls: number;
  errors: number;
  /** p99 of the calls of the current second, µs. */
  p99Us: number;
}

/**
 * The shared memory through which the runner and the load threads of one phase meet:
 * a count of threads done warming up, the go signal with the start instant, a stop flag (Ctrl-C)
 * and each thread's running figures. Plain loads and stores on a SharedArrayBuffer: no message
 * is posted per call, and nothing the hot path touches.
 */
export class PhaseControl {
  readonly buffer: SharedArrayBuffer;
  readonly #flags: Int32Array;
  readonly #figures: Float64Array;
  readonly #threads: number;

  constructor(threads: number, buffer?: SharedArrayBuffer) {
    this.#threads = threads;
    this.buffer =
      buffer ??
      new SharedArrayBuffer(
        INT_SLOTS * Int32Array.BYTES_PER_ELEMENT +
          (1 + threads * PER_THREAD) * Float64Array.BYTES_PER_ELEMENT,
      );
    this.#flags = new Int32Array(this.buffer, 0, INT_SLOTS);
    this.#figures = new Float64Array(
      this.buffer,
      INT_SLOTS * Int32Array.BYTES_PER_ELEMENT,
      1 + threads * PER_THREAD,
    );
  }

  /** Load thread: warm-up done. */
  markWarmed(): void {
    Atomics.add(this.#flags, WARMED, 1);
  }

  get warmedThreads(): number {
    return Atomics.load(this.#flags, WARMED);
  }

  /** Runner: every thread starts measuring at `startAtEpochMs` (Date.now() clock). */
  go(startAtEpochMs: number): void {
    this.#figures[0] = startAtEpochMs;
    Atomics.store(this.#flags, GO, 1);
  }

  /** The start instant once go() was called, else undefined. */
  get startAtEpochMs(): number | undefined {
    return Atomics.load(this.#flags, GO) === 1 ? this.#figures[0] : undefined;
  }

  /** Runner: stop the load now (Ctrl-C). */
  stop(): void {
    Atomics.store(this.#flags, STOP, 1);
  }

  get stopRequested(): boolean {
    return Atomics.load(this.#flags, STOP) === 1;
  }

  publish(thread: number, calls: number, errors: number, p99Us: number): void {
    const at = 1 + thread * PER_THREAD;
    this.#figures[at] = calls;
    this.#figures[at + 1] = errors;
    this.#figures[at + 2] = p99Us;
  }

  /** Sums over threads; the p99 is the worst thread's, which is enough for a progress bar. */
  read(): ThreadProgress {
    let calls = 0;
    let errors = 0;
    let p99Us = 0;
    for (let thread = 0; thread < this.#threads; thread++) {
      const at = 1 + thread * PER_THREAD;
      calls += this.#figures[at]!;
      errors += this.#figures[at + 1]!;
      p99Us = Math.max(p99Us, this.#figures[at + 2]!);
    }
    return { calls, errors, p99Us };
  }
}
