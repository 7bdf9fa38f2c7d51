import { UnsupportedModeError } from '../errors.ts';
import type { SelectMode } from '../select-mode.ts';
import { ConsistentHashSelector } from './consistent-hash-selector.ts';
import { P2cSelector, PeakEwmaSelector } from './p2c-selector.ts';
import { RandomSelector } from './random-selector.ts';
import { RoundRobinSelector } from './round-robin-selector.ts';
import type { Selector, SelectorConstructor, SelectorOptions } from './selector.ts';
import { WeightedRoundRobinSelector } from './weighted-round-robin-selector.ts';

/** Every mode has its selector: a mode added to SelectMode without one fails to compile here. */
const SELECTORS = {
  random: RandomSelector,
  roundrobin: RoundRobinSelector,
  'weighted-roundrobin': WeightedRoundRobinSelector,
  'consistent-hash': ConsistentHashSelector,
  p2c: P2cSelector,
  'peak-ewma': PeakEwmaSelector,
} satisfies Record<SelectMode, SelectorConstructor>;

export function createSelector(mode: SelectMode, options: SelectorOptions): Selector {
  const Implementation: SelectorConstructor | undefined = Object.hasOwn(SELECTORS, mode)
    ? SELECTORS[mode]
    : undefined;
  if (Implementation === undefined) throw new UnsupportedModeError(mode);
  return new Implementation(options);
}
