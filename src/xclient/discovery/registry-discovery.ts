import {
  DEFAULT_REGISTRY_REQUEST_TIMEOUT_MS,
  fetchRegisteredServers,
  parseRegistryUrl,
} from '../../registry/registry-client.ts';
import { InvalidArgumentError } from '../../util/errors.ts';
import type { SelectMode } from '../select-mode.ts';
import type { SelectHint } from '../selectors/select-hint.ts';
import { isValidAddress } from './address-check.ts';
import { MultiServersDiscovery, type MultiServersDiscoveryOptions } from './multi-servers-discovery.ts';

/** GeeRPC's defaultUpdateTimeout. */
export const DEFAULT_REGISTRY_UPDATE_INTERVAL_MS = 10_000;

export interface RegistryDiscoveryOptions extends MultiServersDiscoveryOptions {
  /** A list older than this is reloaded, in the background, at the next selection. @default 10000 */
  updateIntervalMs?: number;
  /** Each request to the registry gives up after this long. @default 5000 */
  requestTimeoutMs?: number;
  /** Told of failed background reloads (the last known list stays in use). @default ignored */
  onError?: (error: Error) => void;
}

/**
 * Servers from GeeRPC's HTTP registry. Only the very first selection waits for the registry (at
 * most requestTimeoutMs); later ones use the last list at once, and a list older than
 * updateIntervalMs is reloaded in the background, so a slow or dead registry never holds a call.
 */
export class RegistryDiscovery extends MultiServersDiscovery {
  readonly #url: URL;
  readonly #updateIntervalMs: number;
  readonly #requestTimeoutMs: number;
  readonly #onError: (error: Error) => void;
  readonly #controller = new AbortController();
  /** When the list was last loaded or set, by performance.now(); undefined until the first time. */
  #updatedAtMs: number | undefined;
  /** No background reload before this: set by loads and by failed attempts, so a dead registry is not hammered. */
  #nextReloadAtMs = 0;
  #refreshing: Promise<void> | undefined;

  constructor(registryUrl: string, options: RegistryDiscoveryOptions = {}) {
    super([], options);
    this.#url = parseRegistryUrl(registryUrl);
    this.#updateIntervalMs = options.updateIntervalMs ?? DEFAULT_REGISTRY_UPDATE_INTERVAL_MS;
    this.#requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REGISTRY_REQUEST_TIMEOUT_MS;
    if (!Number.isFinite(this.#updateIntervalMs) || this.#updateIntervalMs < 0) {
      throw new InvalidArgumentError(
        'options.updateIntervalMs must be a non-negative number of milliseconds',
      );
    }
    if (!Number.isFinite(this.#requestTimeoutMs) || this.#requestTimeoutMs <= 0) {
      throw new InvalidArgumentError('options.requestTimeoutMs must be a positive number of milliseconds');
    }
    this.#onError = options.onError ?? (() => {});
  }

  /** Reloads the list now; concurrent callers share one request. */
  override refresh(): Promise<void> {
    if (this.#refreshing === undefined) {
      const refreshing = this.#load().finally(() => {
        if (this.#refreshing === refreshing) this.#refreshing = undefined;
      });
      this.#refreshing = refreshing;
    }
    return this.#refreshing;
  }

  override update(servers: readonly string[]): Promise<void> {
    this.#updatedAtMs = performance.now();
    this.#nextReloadAtMs = this.#updatedAtMs + this.#updateIntervalMs;
    return super.update(servers);
  }

  override async get(mode: SelectMode, hint?: SelectHint): Promise<string> {
    if (this.#updatedAtMs === undefined) await this.refresh();
    else this.#refreshIfStale();
    return this.select(mode, hint);
  }

  override trySelect(mode: SelectMode, hint?: SelectHint): string | undefined {
    if (this.#updatedAtMs === undefined) return undefined;
    this.#refreshIfStale();
    return this.select(mode, hint);
  }

  override async getAll(): Promise<string[]> {
    if (this.#updatedAtMs === undefined) await this.refresh();
    else this.#refreshIfStale();
    return super.getAll();
  }

  override async close(): Promise<void> {
    this.#controller.abort();
    await super.close();
  }

  #refreshIfStale(): void {
    if (this.#refreshing !== undefined || this.#controller.signal.aborted) return;
    const nowMs = performance.now();
    if (nowMs < this.#nextReloadAtMs) return;
    this.#nextReloadAtMs = nowMs + this.#updateIntervalMs;
    this.refresh().catch(this.#onError);
  }

  async #load(): Promise<void> {
    const servers = await fetchRegisteredServers(this.#url, this.#requestTimeoutMs, this.#controller.signal);
    // A registry that does not check what it is sent (GeeRPC's does not) may list junk: skip it.
    await this.update(servers.filter(isValidAddress));
  }
}
