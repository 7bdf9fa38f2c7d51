import type { SelectHint } from './select-hint.ts';
import type { Selector, SelectorOptions } from './selector.ts';

interface Peer {
  readonly address: string;
  readonly weight: number;
  current: number;
}

/**
 * nginx's smooth weighted round robin: every pick adds each weight to its peer's running score,
 * takes the highest and subtracts the total from it. Over any sum-of-weights picks each server
 * gets exactly its weight, spread out (5,1,1 gives a a b a c a a, not a a a a a b c).
 */
export class WeightedRoundRobinSelector implements Selector {
  readonly #weights: ReadonlyMap<string, number>;
  #peers: Peer[] = [];
  #totalWeight = 0;

  constructor(options: SelectorOptions) {
    this.#weights = options.weights;
  }

  update(servers: readonly string[]): void {
    // Servers that stay keep their score, so a list change does not restart the cycle for them.
    const previous = new Map(this.#peers.map((peer) => [peer.address, peer.current]));
    this.#peers = servers.map((address) => ({
      address,
      weight: this.#weights.get(address) ?? 1,
      current: previous.get(address) ?? 0,
    }));
    this.#totalWeight = this.#peers.reduce((sum, peer) => sum + peer.weight, 0);
  }

  select(_hint: SelectHint | undefined): string {
    const peers = this.#peers;
    let best = peers[0]!;
    for (let i = 0; i < peers.length; i++) {
      const peer = peers[i]!;
      peer.current += peer.weight;
      if (peer.current > best.current) best = peer;
    }
    best.current -= this.#totalWeight;
    return best.address;
  }
}
