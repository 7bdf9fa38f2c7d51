import { performance } from 'node:perf_hooks';

/** Further away than this, a timer is precise enough; closer, the event loop is polled. */
const TIMER_THRESHOLD_MS = 2;

interface Entry {
  dueMs: number;
  resolve: () => void;
}

/**
 * Resolves promises at given instants with sub-millisecond precision, which setTimeout lacks
 * (it rounds to whole milliseconds and fires late). Far deadlines sleep on one timer; near ones
 * are met by polling with setImmediate, which keeps the thread busy while such a delay is pending.
 * One queue serves all the servers of a thread: a single timer, a heap of deadlines.
 */
export class DelayQueue {
  readonly #heap: Entry[] = [];
  #timer: NodeJS.Timeout | undefined;
  #immediate: NodeJS.Immediate | undefined;
  #scheduledForMs = Number.POSITIVE_INFINITY;

  /** Resolves after `delayMs` (fractions allowed); at once for 0 or less. */
  wait(delayMs: number): Promise<void> {
    if (!(delayMs > 0)) return Promise.resolve();
    return this.until(performance.now() + delayMs);
  }

  /** Resolves at `dueMs` on the performance.now() clock. */
  until(dueMs: number): Promise<void> {
    return new Promise<void>((resolve) => {
      this.#push({ dueMs, resolve });
      if (dueMs < this.#scheduledForMs) this.#schedule();
    });
  }

  get size(): number {
    return this.#heap.length;
  }

  /** Resolves every pending delay now, so that nothing waits on a stopped thread. */
  flush(): void {
    this.#cancel();
    for (const entry of this.#heap.splice(0)) entry.resolve();
  }

  readonly #run = (): void => {
    this.#timer = undefined;
    this.#immediate = undefined;
    this.#scheduledForMs = Number.POSITIVE_INFINITY;
    const now = performance.now();
    while (this.#heap.length > 0 && this.#heap[0]!.dueMs <= now) this.#pop().resolve();
    this.#schedule();
  };

  #schedule(): void {
    this.#cancel();
    if (this.#heap.length === 0) return;
    const dueMs = this.#heap[0]!.dueMs;
    const waitMs = dueMs - performance.now();
    this.#scheduledForMs = dueMs;
    if (waitMs > TIMER_THRESHOLD_MS) {
      // Wake a little early: timers fire late, and the last stretch is polled.
      this.#timer = setTimeout(this.#run, waitMs - TIMER_THRESHOLD_MS / 2);
    } else {
      this.#immediate = setImmediate(this.#run);
    }
  }

  #cancel(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    if (this.#immediate !== undefined) clearImmediate(this.#immediate);
    this.#timer = undefined;
    this.#immediate = undefined;
    this.#scheduledForMs = Number.POSITIVE_INFINITY;
  }

  #push(entry: Entry): void {
    const heap = this.#heap;
    heap.push(entry);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (heap[parent]!.dueMs <= entry.dueMs) break;
      heap[i] = heap[parent]!;
      i = parent;
    }
    heap[i] = entry;
  }

  #pop(): Entry {
    const heap = this.#heap;
    const top = heap[0]!;
    const last = heap.pop()!;
    if (heap.length > 0) {
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        if (left >= heap.length) break;
        const right = left + 1;
        const child = right < heap.length && heap[right]!.dueMs < heap[left]!.dueMs ? right : left;
        if (heap[child]!.dueMs >= last.dueMs) break;
        heap[i] = heap[child]!;
        i = child;
      }
      heap[i] = last;
    }
    return top;
  }
}
