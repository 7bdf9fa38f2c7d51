import { MissingKeyError } from '../errors.ts';
import { hash32 } from './hash.ts';
import type { SelectHint } from './select-hint.ts';
import type { Selector, SelectorOptions } from './selector.ts';

/**
 * A hash ring with `virtualNodes` points per server: a key goes to the first point at or after its
 * hash. Adding a server to n takes over about 1/(n+1) of the keys and moves no other key; the
 * virtual nodes keep the shares even. A call without a key is an error (ERR_MISSING_KEY), never a
 * silent fallback to another mode.
 */
export class ConsistentHashSelector implements Selector {
  readonly #virtualNodes: number;
  #points = new Uint32Array(0);
  #owners: string[] = [];

  constructor(options: SelectorOptions) {
    this.#virtualNodes = options.virtualNodes;
  }

  update(servers: readonly string[]): void {
    const ring: { point: number; owner: string }[] = [];
    for (const owner of servers) {
      for (let i = 0; i < this.#virtualNodes; i++) ring.push({ point: hash32(`${owner}#${i}`), owner });
    }
    // Ties broken by address: every client builds the same ring from the same list, in any order.
    ring.sort((a, b) => a.point - b.point || (a.owner < b.owner ? -1 : a.owner > b.owner ? 1 : 0));
    this.#points = Uint32Array.from(ring, (entry) => entry.point);
    this.#owners = ring.map((entry) => entry.owner);
  }

  select(hint: SelectHint | undefined): string {
    const key = hint?.key;
    if (key === undefined) throw new MissingKeyError();
    const hash = hash32(key);
    const points = this.#points;
    let low = 0;
    let high = points.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (points[middle]! < hash) low = middle + 1;
      else high = middle;
    }
    return this.#owners[low === points.length ? 0 : low]!;
  }
}
