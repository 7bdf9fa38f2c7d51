import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

const START_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 5_000;

/** Children still running; killed if the test process exits without stopping them. */
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/** A running peer: JSON lines from stdout as events, stderr kept for messages. */
export class PeerProcess {
  readonly #child: ChildProcess;
  readonly #events: unknown[] = [];
  readonly #stderrLines: string[] = [];
  readonly #listeners = new Set<() => void>();
  readonly exited: Promise<number | null>;
  #stopped: Promise<void> | undefined;

  /** The process id; 0 when it could not be started. */
  get pid(): number {
    return this.#child.pid ?? 0;
  }

  /** `onEvent`, when given, takes every stdout event instead of `events` keeping them. */
  constructor(binary: string, args: string[], onEvent?: (event: unknown) => void) {
    this.#child = spawn(binary, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    live.add(this.#child);
    this.#child.stdin!.on('error', () => {});
    this.exited = new Promise((resolve) => {
      this.#child.once('exit', (code) => {
        live.delete(this.#child);
        resolve(code);
      });
      this.#child.once('error', () => {
        live.delete(this.#child);
        resolve(null);
      });
    });
    void this.exited.then(() => this.#changed());
    createInterface({ input: this.#child.stdout! }).on('line', (line) => {
      let event: unknown;
      try {
        event = JSON.parse(line);
      } catch {
        this.#stderrLines.push(`(stdout) ${line}`);
        return;
      }
      if (onEvent === undefined) this.#events.push(event);
      else onEvent(event);
      this.#changed();
    });
    createInterface({ input: this.#child.stderr! }).on('line', (line) => {
      this.#stderrLines.push(line);
      if (this.#stderrLines.length > 2000) this.#stderrLines.splice(0, 1000);
      this.#changed();
    });
  }

  #changed(): void {
    for (const listener of [...this.#listeners]) listener();
  }

  write(text: string): void {
    this.#child.stdin!.write(text);
  }

  get events(): readonly unknown[] {
    return this.#events;
  }

  get stderr(): string {
    return this.#stderrLines.join('\n');
  }

  get running(): boolean {
    return this.#child.exitCode === null && this.#child.signalCode === null;
  }

  /** Waits until `done()` holds; fails when the process exits first or after `timeoutMs`. */
  waitUntil<T>(done: () => T | undefined, what: string, timeoutMs = START_TIMEOUT_MS): Promise<T> {
    return new Promise((resolve, reject) => {
      const finish = () => {
        clearTimeout(timer);
        this.#listeners.delete(check);
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`Go peer: no ${what} within ${timeoutMs} ms; stderr:\n${this.stderr}`));
      }, timeoutMs);
      const check = () => {
        const value = done();
        if (value !== undefined) {
          finish();
          resolve(value);
        } else if (!this.running) {
          finish();
          reject(
            new Error(
              `Go peer exited (code ${this.#child.exitCode}) before ${what}; stderr:\n${this.stderr}`,
            ),
          );
        }
      };
      this.#listeners.add(check);
      check();
    });
  }

  /** Resolves with the first stderr line matching `pattern`, logged before or after the call. */
  waitForLog(pattern: RegExp, timeoutMs = 10_000): Promise<string> {
    return this.waitUntil(
      () => this.#stderrLines.find((line) => pattern.test(line)),
      `log line ${pattern}`,
      timeoutMs,
    );
  }

  /** SIGTERM, then SIGKILL after a grace period; resolves once the process is gone. Safe to call twice. */
  stop(): Promise<void> {
    this.#stopped ??= (async () => {
      if (this.running) {
        this.#child.kill('SIGTERM');
        const timer = setTimeout(() => this.#child.kill('SIGKILL'), STOP_TIMEOUT_MS);
        await this.exited;
        clearTimeout(timer);
      }
    })();
    return this.#stopped;
  }
}
