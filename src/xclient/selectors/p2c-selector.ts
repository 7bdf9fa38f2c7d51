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
    return pickOfTwo(this.#servers, this.#random, hint?.inFlight);
  }
}

/** Two distinct servers at random; the one `measure` rates lower, the first on a tie or without `measure`. */
export function pickOfTwo(
  servers: readonly string[],
  random: () => number,
  measure: ((address: string) => number) | undefined,
): string {
  const n = servers.length;
  const firstIndex = randomIndex(random, n);
  const first = servers[firstIndex]!;
  if (n === 1 || measure === undefined) return first;
  let secondIndex = randomIndex(random, n - 1);
  if (secondIndex >= firstIndex) secondIndex++;
  const second = servers[secondIndex]!;
  return measure(second) < measure(first) ? second : first;
}
