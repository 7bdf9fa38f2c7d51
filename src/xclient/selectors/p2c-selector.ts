import { randomIndex } from '../../util/seeded-random.ts';
import type { SelectHint } from './select-hint.ts';
import type { Selector, SelectorOptions } from './selector.ts';

/**
 * Power of two choices: two distinct servers at random, the one the hint's measure rates lower
 * wins (the first drawn on a tie). Without the measure it is plain random selection.
 */
abstract class PowerOfTwoChoices implements Selector {
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
    const measure = this.measureOf(hint);
    if (n === 1 || measure === undefined) return first;
    let secondIndex = randomIndex(this.#random, n - 1);
    if (secondIndex >= firstIndex) secondIndex++;
    const second = servers[secondIndex]!;
    return measure(second) < measure(first) ? second : first;
  }

  protected abstract measureOf(hint: SelectHint | undefined): ((address: string) => number) | undefined;
}

/** p2c, as Envoy's least-request: the measure is the XClient's count of calls in flight (`hint.inFlight`). */
export class P2cSelector extends PowerOfTwoChoices {
  protected measureOf(hint: SelectHint | undefined): ((address: string) => number) | undefined {
    return hint?.inFlight;
  }
}

/**
 * Finagle's and Linkerd's balancer: the measure is the XClient's peak-EWMA latency estimate of the
 * server times its calls in flight + 1 (`hint.cost`). A slow reply raises the estimate at once, so
 * a degrading server loses share within a few calls; the estimate decays back as faster replies
 * come or time passes.
 */
export class PeakEwmaSelector extends PowerOfTwoChoices {
  protected measureOf(hint: SelectHint | undefined): ((address: string) => number) | undefined {
    return hint?.cost;
  }
}
