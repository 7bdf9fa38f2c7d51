/** How long one window of the log limit lasts. */
const WINDOW_MS = 1000;

/**
 * Passes at most `linesPerSecond` lines a second to `log`; the lines past that are counted, and
 * one `… and K more` line reports them when their second is over. A client that opens thousands
 * of bad connections then costs the log a dozen lines a second, not one line per connection.
 */
export class LogLimiter {
  readonly #log: (message: string) => void;
  readonly #linesPerSecond: number;
  #windowStart = 0;
  #linesInWindow = 0;
  #suppressed = 0;
  #summaryTimer: NodeJS.Timeout | undefined;

  constructor(log: (message: string) => void, linesPerSecond: number) {
    this.#log = log;
    this.#linesPerSecond = linesPerSecond;
  }

  readonly line = (message: string): void => {
    const now = Date.now();
    if (now - this.#windowStart >= WINDOW_MS) {
      this.#windowStart = now;
      this.#linesInWindow = 0;
    }
    if (this.#linesInWindow < this.#linesPerSecond) {
      this.#linesInWindow++;
      this.#log(message);
      return;
    }
    this.#suppressed++;
    this.#summaryTimer ??= setTimeout(() => this.flush(), this.#windowStart + WINDOW_MS - now).unref();
  };

  /** Reports the lines held back so far, if any. */
  flush(): void {
    clearTimeout(this.#summaryTimer);
    this.#summaryTimer = undefined;
    if (this.#suppressed === 0) return;
    const count = this.#suppressed;
    this.#suppressed = 0;
    this.#log(`rpc server: … and ${count} more line(s) like these in the last second (log limit)`);
  }
}
