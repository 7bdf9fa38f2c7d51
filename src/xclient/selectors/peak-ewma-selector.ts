import type { SelectHint } from '../discovery/discovery.ts';
import { pickOfTwo } from './p2c-selector.ts';
import type { Selector, SelectorOptions } from './selector.ts';

/**
 * Finagle's and Linkerd's balancer: power of two choices over a cost, the XClient's peak-EWMA
 * latency estimate of the server times its calls in flight + 1 (`hint.cost`). A slow reply raises
 * the estimate at once, so a degrading server loses share within a few calls; the estimate decays
 * back as faster replies come or time passes. Without `hint.cost` it is plain random selection.
 */
export class PeakEwmaSelector implements Selector {
  readonly #random: () => number;
  #servers: readonly string[] = [];

  constructor(options: SelectorOptions) {
    this.#random = options.random;
  }

  update(servers: readonly string[]): void {
    this.#servers = servers;
  }

  select(hint: SelectHint | undefined): string {
    return pickOfTwo(this.#servers, this.#random, hint?.cost);
  }
}
