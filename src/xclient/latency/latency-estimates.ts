import { PeakEwma } from './peak-ewma.ts';

/** What the estimates read and keep on a server's pool entry (the XClient's EstimatedServer). */
export interface EstimatedServer {
  /** The address left the discovery's list. */
  readonly retired: boolean;
  /** Calls to the server not yet settled. */
  readonly inFlight: number;
  latency: PeakEwma | undefined;
}

/**
 * A latency sample weighs 1/e after 1 s. Finagle and Linkerd use 10 s; measured on a server that
 * turns five times slower for 3 s and recovers, 1 s moves calls off it as fast and as far and gives
 * it its share back about 1 s after it recovers, where 10 s leaves it starved for more than 9 s.
 */
export const DEFAULT_PEAK_EWMA_DECAY_MS = 1_000;

/**
 * One XClient's peak-EWMA latency estimates, and the cost peak-ewma selection compares:
 * estimate × (calls in flight + 1). Each estimate lives on its server's pool entry beside the
 * in-flight count, so that a cost is one lookup and a reply none. A server without a reply yet is
 * costed at the mean estimate of the servers that have one: it gets an even chance instead of
 * being flooded (a zero cost) or starved (a large one). With no sample at all the cost is
 * in-flight + 1, least-request.
 */
export class LatencyEstimates {
  readonly #decayMs: number;
  readonly #entryOf: (address: string) => EstimatedServer | undefined;
  /**
   * The listed servers' estimates. Their mean is summed up only when a server without a reply is
   * costed, which is rare, rather than kept up to date on every reply.
   */
  readonly #sampled = new Set<PeakEwma>();
  /** The clock reading of the selection under way: one performance.now() per call, not per cost. */
  nowMs = 0;

  constructor(decayMs: number, entryOf: (address: string) => EstimatedServer | undefined) {
    this.#decayMs = decayMs;
    this.#entryOf = entryOf;
  }

  /**
   * A reply from `entry`'s server after `latencyMs`, at `nowMs`. A failure (`failed`) may raise
   * the estimate, as a timeout does, but never lowers it: a server failing fast would attract calls.
   * A server no longer listed keeps no estimate.
   */
  observe(entry: EstimatedServer, latencyMs: number, nowMs: number, failed = false): void {
    if (entry.retired) return;
    let estimate = entry.latency;
    if (failed && (estimate === undefined || latencyMs < estimate.valueAt(nowMs))) return;
    if (estimate === undefined) {
      estimate = new PeakEwma(this.#decayMs);
      entry.latency = estimate;
      this.#sampled.add(estimate);
    }
    estimate.observe(latencyMs, nowMs);
  }

  /** The cost of sending the next call to `address`, as of `nowMs`. */
  readonly costOf = (address: string): number => {
    const entry = this.#entryOf(address);
    const estimate = entry?.latency;
    const latencyMs = estimate !== undefined ? estimate.valueAt(this.nowMs) : this.#meanMs();
    return latencyMs * ((entry?.inFlight ?? 0) + 1);
  };

  /**
   * The mean of the estimates as of `nowMs`, decayed as the costs they are compared with are (an
   * undecayed mean would rate every sampled server below it, and one caller would never try the
   * new server); 1 when there is none, which makes a cost least-request's.
   */
  #meanMs(): number {
    if (this.#sampled.size === 0) return 1;
    let sumMs = 0;
    for (const estimate of this.#sampled) sumMs += estimate.valueAt(this.nowMs);
    return sumMs / this.#sampled.size;
  }

  /** Takes the estimates of servers no longer listed out of the mean; their entries go with them. */
  forget(retired: readonly EstimatedServer[]): void {
    for (const entry of retired) {
      if (entry.latency === undefined) continue;
      this.#sampled.delete(entry.latency);
      entry.latency = undefined;
    }
  }
}
