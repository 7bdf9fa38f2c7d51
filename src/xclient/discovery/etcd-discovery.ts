import type { Etcd3, IKeyValue, Watcher } from 'etcd3';
import {
  createEtcdClient,
  DEFAULT_ETCD_PREFIX,
  DEFAULT_ETCD_REQUEST_TIMEOUT_MS,
  type EtcdEndpoints,
  validatePrefix,
  validateTimeout,
  withEtcdTimeout,
} from '../../registry/etcd-client.ts';
import type { SelectMode } from '../select-mode.ts';
import type { SelectHint } from '../selectors/select-hint.ts';
import { isValidAddress } from './address-check.ts';
import { MultiServersDiscovery, type MultiServersDiscoveryOptions } from './multi-servers-discovery.ts';

/** After a failed reload on reconnection, the next try comes this much later. */
const RESYNC_RETRY_MS = 1_000;

export interface EtcdDiscoveryOptions extends MultiServersDiscoveryOptions {
  /** @default '/rpcbench/servers/' */
  prefix?: string;
  /** Connecting and loading the list give up after this long. @default 5000 */
  requestTimeoutMs?: number;
  /** Told of watch errors; the watch reconnects by itself. @default ignored */
  onError?: (error: Error) => void;
}

/**
 * Servers listed in etcd under a key prefix (see `registerWithEtcd`). Loads the prefix once, then
 * watches it from the revision it loaded, so no change is missed and each is seen as soon as etcd
 * sends it. Only selections made before the first load wait for it.
 */
export class EtcdDiscovery extends MultiServersDiscovery {
  readonly #client: Etcd3;
  readonly #prefix: string;
  readonly #requestTimeoutMs: number;
  readonly #onError: (error: Error) => void;
  /** etcd key → server address. */
  readonly #byKey = new Map<string, string>();
  #watcher: Watcher | undefined;
  #starting: Promise<void> | undefined;
  #started = false;
  #closed = false;
  #resyncTimer: NodeJS.Timeout | undefined;

  constructor(endpoints: EtcdEndpoints, options: EtcdDiscoveryOptions = {}) {
    super([], options);
    this.#prefix = validatePrefix(options.prefix ?? DEFAULT_ETCD_PREFIX);
    this.#requestTimeoutMs = validateTimeout(
      options.requestTimeoutMs ?? DEFAULT_ETCD_REQUEST_TIMEOUT_MS,
      'requestTimeoutMs',
    );
    this.#onError = options.onError ?? (() => {});
    this.#client = createEtcdClient(endpoints, this.#requestTimeoutMs);
  }

  /** A discovery whose list is loaded and watched; rejects with ERR_ETCD_UNAVAILABLE if etcd is not there. */
  static async connect(endpoints: EtcdEndpoints, options: EtcdDiscoveryOptions = {}): Promise<EtcdDiscovery> {
    const discovery = new EtcdDiscovery(endpoints, options);
    try {
      await discovery.#start();
    } catch (error) {
      await discovery.close();
      throw error;
    }
    return discovery;
  }

  /** Loads the prefix again, replacing the list (the watch keeps it current in between). */
  override async refresh(): Promise<void> {
    if (!this.#started) return this.#start();
    await this.#load();
  }

  override async get(mode: SelectMode, hint?: SelectHint): Promise<string> {
    if (!this.#started) await this.#start();
    return this.select(mode, hint);
  }

  override trySelect(mode: SelectMode, hint?: SelectHint): string | undefined {
    return this.#started ? this.select(mode, hint) : undefined;
  }

  override async getAll(): Promise<string[]> {
    if (!this.#started) await this.#start();
    return super.getAll();
  }

  override async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#resyncTimer);
    await this.#starting?.catch(() => undefined);
    if (this.#watcher !== undefined) {
      // Closing the client below ends the watch anyway: an etcd that is gone must not hold close().
      await withEtcdTimeout('cancelling the watch', this.#requestTimeoutMs, this.#watcher.cancel()).catch(
        () => undefined,
      );
    }
    this.#client.close();
    await super.close();
  }

  /** Load and watch, once; a failed attempt is retried by the next caller. */
  #start(): Promise<void> {
    if (this.#starting === undefined) {
      const starting = this.#loadAndWatch();
      this.#starting = starting;
      starting.catch(() => {
        if (this.#starting === starting) this.#starting = undefined;
      });
    }
    return this.#starting;
  }

  async #loadAndWatch(): Promise<void> {
    await this.#watchFrom(await this.#load());
    this.#started = true;
  }

  async #watchFrom(revision: bigint): Promise<void> {
    if (this.#closed) return;
    const watcher = await withEtcdTimeout(
      `watching ${this.#prefix}`,
      this.#requestTimeoutMs,
      this.#client
        .watch()
        .prefix(this.#prefix)
        .startRevision(String(revision + 1n))
        .create(),
    );
    let disconnected = false;
    watcher.on('put', (kv: IKeyValue) => {
      this.#byKey.set(kv.key.toString(), kv.value.toString());
      this.#publish();
    });
    watcher.on('delete', (kv: IKeyValue) => {
      if (this.#byKey.delete(kv.key.toString())) this.#publish();
    });
    watcher.on('disconnected', (error: Error) => {
      disconnected = true;
      this.#onError(error);
    });
    // etcd may have come back without its data, its revisions starting over: a watch resumed from
    // the old revision would miss every change until the new ones caught up. Load and watch anew.
    watcher.on('connected', () => {
      if (!disconnected || this.#closed) return;
      disconnected = false;
      void watcher.cancel().catch(() => undefined);
      this.#resync();
    });
    watcher.on('error', (error: Error) => this.#onError(error));
    this.#watcher = watcher;
    if (this.#closed) await watcher.cancel();
  }

  /** Loads and watches again, retrying until it succeeds: without a watch the list would go stale. */
  #resync(): void {
    if (this.#closed) return;
    this.#load()
      .then((revision) => this.#watchFrom(revision))
      .catch((error: Error) => {
        this.#onError(error);
        this.#resyncTimer = setTimeout(() => this.#resync(), RESYNC_RETRY_MS);
        this.#resyncTimer.unref();
      });
  }

  /** Reads the whole prefix and returns the revision it was read at. */
  async #load(): Promise<bigint> {
    const response = await withEtcdTimeout(
      `listing ${this.#prefix}`,
      this.#requestTimeoutMs,
      this.#client.getAll().prefix(this.#prefix).exec(),
    );
    this.#byKey.clear();
    for (const kv of response.kvs) this.#byKey.set(kv.key.toString(), kv.value.toString());
    this.#publish();
    return BigInt(response.header.revision);
  }

  #publish(): void {
    // Sorted so that every client over the same keys has the same list, whatever the event order.
    const servers = [...new Set(this.#byKey.values())].filter(isValidAddress).sort();
    void super.update(servers);
  }
}
