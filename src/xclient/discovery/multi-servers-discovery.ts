import { parseAddress } from '../../rpc/address.ts';
import { InvalidArgumentError } from '../../util/errors.ts';
import { NoServersError, UnsupportedModeError } from '../errors.ts';
import { isSelectMode, type SelectMode } from '../select-mode.ts';
import { createSelector } from '../selectors/create-selector.ts';
import type { EjectedServers, SelectHint } from '../selectors/select-hint.ts';
import type { Selector, SelectorOptions } from '../selectors/selector.ts';
import type { Discovery } from './discovery.ts';

/** A mode's selector over the servers not ejected, and the lists it was last told. */
interface HealthySelection {
  readonly selector: Selector;
  ejected: EjectedServers | undefined;
  version: number;
  servers: readonly string[];
}

export const DEFAULT_VIRTUAL_NODES = 160;

export interface MultiServersDiscoveryOptions {
  /** Floats in [0, 1) for random, p2c and round robin's starting point; `createSeededRandom(seed)` replays a run. @default Math.random */
  random?: () => number;
  /** Relative weights by address for weighted-roundrobin: positive finite numbers. @default 1 for every server */
  weights?: Readonly<Record<string, number>>;
  /** Points per server on the consistent-hash ring: more give evener shares and a slower update. @default 160 */
  virtualNodes?: number;
}

/**
 * A discovery without a registry: the list it was given, replaced by `update()`.
 * The registry and etcd discoveries extend it and feed it their lists.
 */
export class MultiServersDiscovery implements Discovery {
  readonly #selectorOptions: SelectorOptions;
  /** One selector per mode in use, built on first use: each mode keeps its own position. */
  readonly #selectors = new Map<SelectMode, Selector>();
  /** Per mode, a second selector over the servers outlier detection left in: built once one is ejected. */
  readonly #healthy = new Map<SelectMode, HealthySelection>();
  readonly #listeners = new Set<(servers: readonly string[]) => void>();
  #servers: readonly string[] = [];

  constructor(servers: readonly string[] = [], options: MultiServersDiscoveryOptions = {}) {
    const random = options.random ?? Math.random;
    if (typeof random !== 'function') throw new InvalidArgumentError('options.random must be a function');
    const virtualNodes = options.virtualNodes ?? DEFAULT_VIRTUAL_NODES;
    if (!Number.isSafeInteger(virtualNodes) || virtualNodes <= 0) {
      throw new InvalidArgumentError('options.virtualNodes must be a positive integer');
    }
    const weights = new Map<string, number>();
    for (const [address, weight] of Object.entries(options.weights ?? {})) {
      if (!Number.isFinite(weight) || weight <= 0) {
        throw new InvalidArgumentError(
          `options.weights["${address}"] must be a positive finite number, got ${weight}`,
        );
      }
      weights.set(address, weight);
    }
    this.#selectorOptions = { random, weights, virtualNodes };
    this.#setServers(servers);
  }

  /** A static list has nothing to reload. */
  refresh(): Promise<void> {
    return Promise.resolve();
  }

  update(servers: readonly string[]): Promise<void> {
    try {
      this.#setServers(servers);
      return Promise.resolve();
    } catch (error) {
      return Promise.reject(error);
    }
  }

  get(mode: SelectMode, hint?: SelectHint): Promise<string> {
    try {
      return Promise.resolve(this.select(mode, hint));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  trySelect(mode: SelectMode, hint?: SelectHint): string | undefined {
    return this.select(mode, hint);
  }

  getAll(): Promise<string[]> {
    return Promise.resolve([...this.#servers]);
  }

  subscribe(listener: (servers: readonly string[]) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  close(): Promise<void> {
    this.#listeners.clear();
    return Promise.resolve();
  }

  /** The list as it is now, without copying; never mutated. */
  protected get servers(): readonly string[] {
    return this.#servers;
  }

  /** Picks one server synchronously: the whole of `get` for a list already known. */
  protected select(mode: SelectMode, hint: SelectHint | undefined): string {
    let selector = this.#selectors.get(mode);
    if (selector === undefined) {
      if (!isSelectMode(mode)) throw new UnsupportedModeError(mode);
      selector = createSelector(mode, this.#selectorOptions);
      selector.update(this.#servers);
      this.#selectors.set(mode, selector);
    }
    if (this.#servers.length === 0) throw new NoServersError();
    const ejected = hint?.ejected;
    if (ejected !== undefined && ejected.size > 0) {
      return this.#healthySelector(mode, ejected).select(hint);
    }
    return selector.select(hint);
  }

  /**
   * The mode's selector over the servers not ejected, told the list again only when the servers or
   * the ejections changed. When every server is ejected, all of them are used.
   */
  #healthySelector(mode: SelectMode, ejected: EjectedServers): Selector {
    let entry = this.#healthy.get(mode);
    if (entry === undefined) {
      entry = {
        selector: createSelector(mode, this.#selectorOptions),
        ejected: undefined,
        version: -1,
        servers: [],
      };
      this.#healthy.set(mode, entry);
    }
    if (entry.ejected !== ejected || entry.version !== ejected.version || entry.servers !== this.#servers) {
      const healthy = Object.freeze(this.#servers.filter((address) => !ejected.has(address)));
      entry.ejected = ejected;
      entry.version = ejected.version;
      entry.servers = this.#servers;
      entry.selector.update(healthy.length === 0 ? this.#servers : healthy);
    }
    return entry.selector;
  }

  #setServers(servers: readonly string[]): void {
    if (!Array.isArray(servers)) throw new InvalidArgumentError('servers must be an array of addresses');
    for (const address of servers) parseAddress(address);
    const unique = Object.freeze([...new Set(servers)]);
    if (sameList(unique, this.#servers)) return;
    this.#servers = unique;
    for (const selector of this.#selectors.values()) selector.update(unique);
    for (const listener of this.#listeners) listener(unique);
  }
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
