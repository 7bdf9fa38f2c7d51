import { PeakEwma } from './peak-ewma.ts';

/** Finagle's and Linkerd's default: a latency sample weighs 1/e after 10 s. */
export const DEFAULT_PEAK_EWMA_DECAY_MS = 10_000;

/**
 * One XClient's peak-EWMA latency estimate per server, and the cost peak-ewma selection compares:
 * estimate × (calls in flight + 1). A server without a reply yet is costed at the mean estimate
 * of the servers that have one: it gets an even chance instead of being flooded (a zero cost) or
 * starved (a large one). With no sample at all the cost is in-flight + 1, least-request.
 */
export class LatencyEstimates {
  readonly #decayMs: number;
  readonly #inFlightOf: (address: string) => number;
  readonly #estimates = new Map<string, PeakEwma>();
  /** Sum of the sampled servers' last estimates, kept as they change: the mean costs no loop. */
  #sumMs = 0;
  #sampled = 0;
  /** The clock reading of the selection under way: one performance.now() per call, not per cost. */
  nowMs = 0;

  constructor(decayMs: number, inFlightOf: (address: string) => number) {
    this.#decayMs = decayMs;
    this.#inFlightOf = inFlightOf;
  }

  /**
   * A reply from `address` after `latencyMs`, at `nowMs`. A failure (`failed`) may raise the
   * estimate, as a timeout does, but never lowers it: a server failing fast would attract calls.
   */
  observe(address: string, latencyMs: number, nowMs: number, failed = false): void {
    let estimate = this.#estimates.get(address);
    if (failed && (estimate === undefined || latencyMs < estimate.valueAt(nowMs))) return;
    if (estimate === undefined) {
      estimate = new PeakEwma(this.#decayMs);
      this.#estimates.set(address, estimate);
    }
    if (estimate.sampled) this.#sumMs -= estimate.lastEstimateMs;
    else this.#sampled++;
    this.#sumMs += estimate.observe(latencyMs, nowMs);
  }

  /** The cost of sending the next call to `address`, as of `nowMs`. */
  readonly costOf = (address: string): number => {
    const estimate = this.#estimates.get(address);
    const latencyMs =
      estimate !== undefined
        ? estimate.valueAt(this.nowMs)
        : this.#sampled === 0
          ? 1
          : this.#sumMs / this.#sampled;
    return latencyMs * (this.#inFlightOf(address) + 1);
  };

  /** Forgets servers no longer listed, so that a long run with changing servers stays bounded. */
  prune(servers: readonly string[]): void {
    const listed = new Set(servers);
    for (const [address, estimate] of this.#estimates) {
      if (listed.has(address)) continue;
      this.#sumMs -= estimate.lastEstimateMs;
      this.#sampled--;
      this.#estimates.delete(address);
    }
  }
}
