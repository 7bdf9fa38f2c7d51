import { randomIndex } from '../../util/seeded-random.ts';
import type { SelectHint } from '../discovery/discovery.ts';
import type { Selector, SelectorOptions } from './selector.ts';

/**
 * Power of two choices: two distinct servers at random, the one with fewer calls in flight wins
 * (the first drawn on a tie). Without `hint.inFlight` it is plain random selection.
 */
export class P2cSelector implements Selector {
  readonly #random: () => number;
  #servers: readonly string[] = [];

  constructor(options: SelectorOptions) {
    this.#random = options.random;
  }

  update(servers: readonly string[]): void {
    this.#servers = servers;
  }

  select(hint: SelectHint | undefined): string {
    const servers = this.#servers;
    const n = servers.length;
    const firstIndex = randomIndex(this.#random, n);
    const first = servers[firstIndex]!;
    const inFlight = hint?.inFlight;
    if (n === 1 || inFlight === undefined) return first;
    let secondIndex = randomIndex(this.#random, n - 1);
    if (secondIndex >= firstIndex) secondIndex++;
    const second = servers[secondIndex]!;
    return inFlight(second) < inFlight(first) ? second : first;
  }
}
