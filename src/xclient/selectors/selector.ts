import type { SelectHint } from './select-hint.ts';

/** One select mode's strategy. A discovery keeps one per mode in use and tells it every new list. */
export interface Selector {
  /** The list changed; `servers` is never mutated afterwards and holds no duplicates. */
  update(servers: readonly string[]): void;
  /** Picks one server of the last list. Only called with a non-empty list. */
  select(hint: SelectHint | undefined): string;
}

/** What selectors are built from: resolved discovery options. */
export interface SelectorOptions {
  readonly random: () => number;
  /** Relative weights by address, for weighted-roundrobin; absent means 1. */
  readonly weights: ReadonlyMap<string, number>;
  /** Points per server on the consistent-hash ring. */
  readonly virtualNodes: number;
}

export type SelectorConstructor = new (options: SelectorOptions) => Selector;
