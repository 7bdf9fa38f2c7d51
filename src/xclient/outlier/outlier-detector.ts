import { isTransportError } from '../../rpc/errors.ts';
import { isRpcError } from '../../util/errors.ts';
import type { EjectedServers } from '../selectors/select-hint.ts';
import { MAX_EJECTION_MULTIPLIER, type ResolvedOutlierDetection } from './outlier-options.ts';

export type EjectionReason = 'consecutive-errors' | 'failure-percentage';

/** A server taken out of selection, or let back. `atMs` is on the detector's clock. */
export type OutlierEvent =
  | { kind: 'ejected'; address: string; atMs: number; reason: EjectionReason; ejectionMs: number }
  | { kind: 'returned'; address: string; atMs: number };

interface ServerHealth {
  consecutive: number;
  calls: number;
  failures: number;
  /** Ejections not yet forgiven: the next one lasts multiplier × baseEjectionMs. */
  multiplier: number;
  /** When an ejected server comes back; NaN while it is in selection. */
  returnAtMs: number;
  /** When it last came back (or was first seen); an interval it spent wholly in selection forgives one ejection. */
  inSinceMs: number;
}

/**
 * The state machine of outlier ejection, without timers or clock of its own: the XClient reports
 * each call's outcome and calls tick() periodically, both with the time, so that tests can drive it
 * on a fake clock. It is the `EjectedServers` set selections skip.
 */
export class OutlierDetector implements EjectedServers {
  readonly #options: ResolvedOutlierDetection;
  readonly #onEvent: (event: OutlierEvent) => void;
  readonly #health = new Map<string, ServerHealth>();
  readonly #ejected = new Set<string>();
  #servers = 0;
  #intervalStartMs: number;
  #version = 0;

  constructor(
    options: ResolvedOutlierDetection,
    nowMs: number,
    onEvent: (event: OutlierEvent) => void = () => {},
  ) {
    this.#options = options;
    this.#onEvent = onEvent;
    this.#intervalStartMs = nowMs;
  }

  get version(): number {
    return this.#version;
  }

  get size(): number {
    return this.#ejected.size;
  }

  has(address: string): boolean {
    return this.#ejected.has(address);
  }

  /** The server list changed: servers gone are forgotten, ejected or not. */
  update(servers: readonly string[], nowMs: number): void {
    this.#servers = servers.length;
    const listed = new Set(servers);
    for (const address of this.#health.keys()) {
      if (listed.has(address)) continue;
      this.#health.delete(address);
      if (this.#ejected.delete(address)) this.#version++;
    }
    for (const address of servers) if (!this.#health.has(address)) this.#health.set(address, fresh(nowMs));
  }

  /** Whether `error` counts against its server: transport errors and timeouts, remote errors if asked. */
  counts(error: unknown): boolean {
    return (
      isTransportError(error) ||
      isRpcError(error, 'ERR_CALL_TIMEOUT') ||
      (this.#options.countApplicationErrors && isRpcError(error, 'ERR_REMOTE'))
    );
  }

  success(address: string): void {
    const health = this.#health.get(address);
    if (health === undefined || this.#ejected.has(address)) return;
    health.calls++;
    health.consecutive = 0;
  }

  /** A failed call; errors that do not count (see counts()) are successes as far as health goes. */
  failure(address: string, error: unknown, nowMs: number): void {
    if (!this.counts(error)) {
      this.success(address);
      return;
    }
    const health = this.#health.get(address);
    if (health === undefined || this.#ejected.has(address)) return;
    health.calls++;
    health.failures++;
    health.consecutive++;
    const { consecutiveErrors } = this.#options;
    if (consecutiveErrors > 0 && health.consecutive >= consecutiveErrors) {
      this.#eject(address, health, 'consecutive-errors', nowMs);
    }
  }

  /** Lets back the servers whose ejection is over, and at each interval's end judges failure percentages. */
  tick(nowMs: number): void {
    for (const address of this.#ejected) {
      const health = this.#health.get(address)!;
      if (nowMs < health.returnAtMs) continue;
      this.#ejected.delete(address);
      this.#version++;
      Object.assign(health, {
        consecutive: 0,
        calls: 0,
        failures: 0,
        returnAtMs: Number.NaN,
        inSinceMs: nowMs,
      });
      this.#onEvent({ kind: 'returned', address, atMs: nowMs });
    }
    if (nowMs - this.#intervalStartMs < this.#options.intervalMs) return;
    const { failurePercentage, minimumCalls } = this.#options;
    for (const [address, health] of this.#health) {
      if (this.#ejected.has(address)) continue;
      if (
        failurePercentage > 0 &&
        health.calls >= minimumCalls &&
        health.failures * 100 >= failurePercentage * health.calls
      ) {
        this.#eject(address, health, 'failure-percentage', nowMs);
        continue;
      }
      if (health.multiplier > 0 && health.inSinceMs <= this.#intervalStartMs) health.multiplier--;
      health.calls = 0;
      health.failures = 0;
    }
    this.#intervalStartMs = nowMs;
  }

  #eject(address: string, health: ServerHealth, reason: EjectionReason, nowMs: number): void {
    if (this.#ejected.size >= this.#maxEjected()) return;
    health.multiplier = Math.min(health.multiplier + 1, MAX_EJECTION_MULTIPLIER);
    const ejectionMs = this.#options.baseEjectionMs * health.multiplier;
    health.returnAtMs = nowMs + ejectionMs;
    health.consecutive = 0;
    health.calls = 0;
    health.failures = 0;
    this.#ejected.add(address);
    this.#version++;
    this.#onEvent({ kind: 'ejected', address, atMs: nowMs, reason, ejectionMs });
  }

  #maxEjected(): number {
    const percent = this.#options.maxEjectedPercent;
    return percent === 0 ? 0 : Math.max(1, Math.floor((this.#servers * percent) / 100));
  }
}

function fresh(nowMs: number): ServerHealth {
  return { consecutive: 0, calls: 0, failures: 0, multiplier: 0, returnAtMs: Number.NaN, inSinceMs: nowMs };
}
