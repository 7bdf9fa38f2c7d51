/**
 * A peak-sensitive exponentially weighted moving average of one server's latency, as Finagle's
 * and Linkerd's balancers keep it: a reply slower than the estimate replaces it at once (the peak),
 * a faster one is averaged in with a weight that depends on the time since the last sample, not on
 * the number of samples, and the estimate decays toward zero while no reply arrives, so that a
 * server once slow is tried again rather than starved.
 */
export class PeakEwma {
  /** 1 / the decay time: a multiplication on every cost instead of a division. */
  readonly #decayPerMs: number;
  #estimateMs = 0;
  #stampMs = 0;

  /** `decayMs`: the time constant; an old value weighs e^(-elapsed / decayMs). */
  constructor(decayMs: number) {
    this.#decayPerMs = 1 / decayMs;
  }

  /**
   * Folds in one reply that took `latencyMs` (never negative), arriving at `nowMs`; returns the new
   * estimate. The first reply is taken whole, as any reply at or above the estimate (0 before it).
   */
  observe(latencyMs: number, nowMs: number): number {
    if (latencyMs >= this.#estimateMs) {
      this.#estimateMs = latencyMs;
    } else {
      const weight = decayFactor(Math.max(0, nowMs - this.#stampMs) * this.#decayPerMs);
      this.#estimateMs = this.#estimateMs * weight + latencyMs * (1 - weight);
    }
    this.#stampMs = nowMs;
    return this.#estimateMs;
  }

  /** The estimate at `nowMs`, decayed for the time since the last reply; 0 before any. */
  valueAt(nowMs: number): number {
    const idleMs = nowMs - this.#stampMs;
    return idleMs <= 0 ? this.#estimateMs : this.#estimateMs * decayFactor(idleMs * this.#decayPerMs);
  }
}

/** Below this many decay times, e^-x is taken from its series: exact to 2e-10, without a call to exp. */
const SERIES_LIMIT = 1e-3;

/**
 * e^-x. A busy server has replies every few microseconds to milliseconds, a tiny fraction of the
 * decay time: there, 1 − x + x²/2 saves the exponential that would be most of a selection's cost.
 */
export function decayFactor(x: number): number {
  return x < SERIES_LIMIT ? 1 - x + x * x * 0.5 : Math.exp(-x);
}
