/** What InFlightCalls needs from a call: where it sits, or -1. */
export interface InFlightEntry {
  inFlightIndex: number;
}

/**
 * The calls a connection is handling, in a dense array that only grows: adding and removing
 * allocate nothing. A Set would not do: once it has reached the old generation, every table it
 * rebuilds as calls come and go is allocated there too, and those dead tables keep young calls
 * alive through each minor GC, so that every call ends up promoted.
 */
export class InFlightCalls<T extends InFlightEntry> {
  readonly #calls: (T | undefined)[] = [];
  #size = 0;

  get size(): number {
    return this.#size;
  }

  add(call: T): void {
    call.inFlightIndex = this.#size;
    this.#calls[this.#size++] = call;
  }

  /** Removes the call by moving the last one into its place. */
  delete(call: T): void {
    const index = call.inFlightIndex;
    if (index < 0 || this.#calls[index] !== call) return;
    const last = this.#calls[--this.#size]!;
    this.#calls[index] = last;
    last.inFlightIndex = index;
    this.#calls[this.#size] = undefined;
    call.inFlightIndex = -1;
  }

  /** Removes and returns every call. */
  takeAll(): T[] {
    const all = this.#calls.slice(0, this.#size) as T[];
    for (let index = 0; index < this.#size; index++) {
      all[index]!.inFlightIndex = -1;
      this.#calls[index] = undefined;
    }
    this.#size = 0;
    return all;
  }
}
