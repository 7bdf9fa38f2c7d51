import { performance } from 'node:perf_hooks';
import { MAX_TIMER_MS } from '../util/units.ts';

/**
 * One timer for the deadlines of every call on a connection, in place of a timer per call: a
 * call then costs a clock read and a comparison, not a setTimeout and a clearTimeout. The timer
 * is set for the earliest deadline it was told of; when it fires, the owner expires the calls
 * whose deadline has passed and answers the earliest deadline left, and the timer is set again
 * for that. Calls with the same timeout end in the order they started, so a new call's deadline
 * is mostly later than the one the timer waits for and changes nothing.
 */
export class CallDeadlines {
  readonly #expire: (nowMs: number) => number;
  #timer: NodeJS.Timeout | undefined;
  /** The deadline the timer is set for; +Infinity when none is. */
  #dueMs = Number.POSITIVE_INFINITY;

  /**
   * `expire(nowMs)`: ends every call whose deadline is at or before `nowMs`, and returns the
   * earliest deadline of the calls left (+Infinity for none).
   */
  constructor(expire: (nowMs: number) => number) {
    this.#expire = expire;
  }

  /** A call with this deadline (performance.now() clock) started at `nowMs`. */
  add(deadlineMs: number, nowMs: number): void {
    if (deadlineMs >= this.#dueMs) return;
    clearTimeout(this.#timer);
    this.#set(deadlineMs, nowMs);
  }

  /** No call is left to expire: the connection ended. */
  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#dueMs = Number.POSITIVE_INFINITY;
  }

  #set(deadlineMs: number, nowMs: number): void {
    this.#dueMs = deadlineMs;
    // Rounded up: a timer fires on the millisecond, and a call must never end before its deadline.
    this.#timer = setTimeout(this.#fire, Math.min(Math.max(1, Math.ceil(deadlineMs - nowMs)), MAX_TIMER_MS));
  }

  readonly #fire = (): void => {
    this.#timer = undefined;
    this.#dueMs = Number.POSITIVE_INFINITY;
    const nowMs = performance.now();
    const next = this.#expire(nowMs);
    if (next < this.#dueMs) {
      clearTimeout(this.#timer);
      this.#set(next, nowMs);
    }
  };
}
