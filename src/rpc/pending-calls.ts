const RING_SLOTS = 1024;

/**
 * The calls awaiting a reply, by sequence number. Numbers are consecutive and replies mostly come
 * back in order, so a fixed ring indexed by the number holds them with no allocation per call.
 * A Map would not do: once it has lived long enough to reach the old generation, every table it
 * rebuilds as entries come and go is allocated there too, turning each call into old-space
 * garbage and lengthening every pause. A call still waiting when the ring comes back round to
 * its slot moves to a Map of stragglers.
 */
export class PendingCalls<T> {
  readonly #slots: (T | undefined)[] = new Array(RING_SLOTS).fill(undefined);
  readonly #seqs: number[] = new Array(RING_SLOTS).fill(-1);
  readonly #stragglers = new Map<number, T>();
  #size = 0;

  get size(): number {
    return this.#size;
  }

  set(seq: number, value: T): void {
    const index = seq % RING_SLOTS;
    const occupant = this.#slots[index];
    if (occupant !== undefined) this.#stragglers.set(this.#seqs[index]!, occupant);
    this.#slots[index] = value;
    this.#seqs[index] = seq;
    this.#size++;
  }

  /** Removes and returns the value for `seq`, if it is there. */
  take(seq: number): T | undefined {
    const index = seq % RING_SLOTS;
    if (this.#seqs[index] === seq) {
      const value = this.#slots[index];
      if (value !== undefined) {
        this.#slots[index] = undefined;
        this.#seqs[index] = -1;
        this.#size--;
        return value;
      }
    }
    if (this.#stragglers.size === 0) return undefined;
    const value = this.#stragglers.get(seq);
    if (value !== undefined) {
      this.#stragglers.delete(seq);
      this.#size--;
    }
    return value;
  }

  /** Calls `visit` with each value and its number; `visit` must not change the table. */
  forEach(visit: (value: T, seq: number) => void): void {
    for (let index = 0; index < RING_SLOTS; index++) {
      const value = this.#slots[index];
      if (value !== undefined) visit(value, this.#seqs[index]!);
    }
    for (const [seq, value] of this.#stragglers) visit(value, seq);
  }

  /** Removes and returns every value. */
  takeAll(): T[] {
    const all = [...this.#stragglers.values()];
    this.#stragglers.clear();
    for (let index = 0; index < RING_SLOTS; index++) {
      const value = this.#slots[index];
      if (value !== undefined) all.push(value);
      this.#slots[index] = undefined;
      this.#seqs[index] = -1;
    }
    this.#size = 0;
    return all;
  }
}
