import { randomIndex } from '../../util/seeded-random.ts';
import type { SelectHint } from './select-hint.ts';
import type { Selector, SelectorOptions } from './selector.ts';

/** Uniformly at random, from the discovery's generator: seeded, a run can be replayed. */
export class RandomSelector implements Selector {
  readonly #random: () => number;
  #servers: readonly string[] = [];

  constructor(options: SelectorOptions) {
    this.#random = options.random;
  }

  update(servers: readonly string[]): void {
    this.#servers = servers;
  }

  select(_hint: SelectHint | undefined): string {
    return this.#servers[randomIndex(this.#random, this.#servers.length)]!;
  }
}
