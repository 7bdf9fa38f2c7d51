import { randomIndex } from '../../util/seeded-random.ts';
import type { SelectHint } from './select-hint.ts';
import type { Selector, SelectorOptions } from './selector.ts';

/**
 * Each server in turn. The first turn is random, so that many clients started together do not
 * all begin with the same server. A new list keeps the position modulo its length: any k calls
 * after an update give each server floor(k/n) or ceil(k/n) of them.
 */
export class RoundRobinSelector implements Selector {
  readonly #random: () => number;
  #servers: readonly string[] = [];
  #index = -1;

  constructor(options: SelectorOptions) {
    this.#random = options.random;
  }

  update(servers: readonly string[]): void {
    this.#servers = servers;
    if (servers.length === 0) return;
    this.#index = this.#index < 0 ? randomIndex(this.#random, servers.length) : this.#index % servers.length;
  }

  select(_hint: SelectHint | undefined): string {
    const index = this.#index;
    this.#index = index + 1 === this.#servers.length ? 0 : index + 1;
    return this.#servers[index]!;
  }
}
