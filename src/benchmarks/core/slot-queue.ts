import type { CallSlot } from './call-driver.ts';

/** A first-in first-out ring of slots that grows when full and never shifts an array. */
export class SlotQueue {
  #items: (CallSlot | undefined)[] = new Array(64);
  #head = 0;
  #size = 0;

  get size(): number {
    return this.#size;
  }

  push(slot: CallSlot): void {
    if (this.#size === this.#items.length) this.#grow();
    this.#items[(this.#head + this.#size) % this.#items.length] = slot;
    this.#size++;
  }

  shift(): CallSlot | undefined {
    if (this.#size === 0) return undefined;
    const slot = this.#items[this.#head];
    this.#items[this.#head] = undefined;
    this.#head = (this.#head + 1) % this.#items.length;
    this.#size--;
    return slot;
  }

  #grow(): void {
    const items: (CallSlot | undefined)[] = new Array(this.#items.length * 2);
    for (let i = 0; i < this.#size; i++) items[i] = this.#items[(this.#head + i) % this.#items.length];
    this.#items = items;
    this.#head = 0;
  }
}
