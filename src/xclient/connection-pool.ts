import type { CallOptions, Client, ResolvedClientOptions } from '../rpc/client.ts';
import { ClientEntry } from './client-entry.ts';
import { dialWithinCall, optionsAfterDial } from './dial-within-call.ts';
import { CloseFailedError, XClientClosedError } from './errors.ts';

/** Failures of closes started during calls are kept for close() to report, up to this many. */
const MAX_KEPT_CLOSE_FAILURES = 100;

export type DialFunction = (address: string, options: ResolvedClientOptions) => Promise<Client>;

export interface PoolStats {
  /** Connections opened since the pool was made. */
  dials: number;
  /** Connections open now. */
  openClients: number;
  /** Calls not yet settled. */
  inFlight: number;
}

/**
 * One connection per server address, dialed once however many callers need it at the same time,
 * dialed again when it broke, and closed when its server leaves the list and its last call ends.
 * The XClient decides where a call goes; the pool only holds the connections.
 *
 * A call takes an entry with acquire() and gives it back with release(), so that the caller's own
 * async function awaits the reply directly: no extra promise layer per call on the hot path.
 */
export class ConnectionPool {
  readonly #dial: DialFunction;
  readonly #clientOptions: ResolvedClientOptions;
  readonly #entries = new Map<string, ClientEntry>();
  /** Entries of servers gone from the list, still carrying calls. */
  readonly #retiring = new Set<ClientEntry>();
  /** Clients of calls that dial for themselves (`reuseClients: false`), open for one call each. */
  readonly #freshClients = new Set<Client>();
  /** Closes started outside close(), which close() waits for. */
  readonly #closing = new Set<Promise<void>>();
  readonly #closeFailures: Error[] = [];
  #dials = 0;
  #closed: Promise<void> | undefined;

  constructor(dial: DialFunction, clientOptions: ResolvedClientOptions) {
    this.#dial = dial;
    this.#clientOptions = clientOptions;
  }

  /** Calls in flight to `address`: what p2c compares. */
  readonly inFlightOf = (address: string): number => this.#entries.get(address)?.inFlight ?? 0;

  readonly entryOf = (address: string): ClientEntry | undefined => this.#entries.get(address);

  /** Counts a call to `address` in; release() counts it out. */
  acquire(address: string): ClientEntry {
    let entry = this.#entries.get(address);
    if (entry === undefined) {
      entry = new ClientEntry(address);
      this.#entries.set(address, entry);
    }
    entry.inFlight++;
    return entry;
  }

  release(entry: ClientEntry): void {
    if (--entry.inFlight === 0 && entry.retired) this.#closeEntry(entry);
  }

  /** The entry's usable connection, or undefined: then connect() it. */
  usableClient(entry: ClientEntry): Client | undefined {
    const client = entry.client;
    return client?.isAvailable() ? client : undefined;
  }

  /** Dials, calls and closes: one connection for one call, to measure what reuse saves. */
  async callFresh(
    address: string,
    serviceMethod: string,
    args: unknown,
    options: CallOptions | undefined,
  ): Promise<unknown> {
    const startMs = performance.now();
    const opening = this.#open(address);
    const timeoutMs = options?.timeoutMs ?? this.#clientOptions.callTimeoutMs;
    let client: Client;
    try {
      client = await dialWithinCall(opening, serviceMethod, timeoutMs, options?.signal);
    } catch (error) {
      // Given up on while dialing: the connection, if it comes, is closed unused.
      opening.then(
        (late) => this.#track(late.close()),
        () => {},
      );
      throw error;
    }
    options = optionsAfterDial(options, timeoutMs, startMs);
    if (this.#closed !== undefined) {
      this.#track(client.close());
      throw new XClientClosedError();
    }
    this.#freshClients.add(client);
    try {
      return await client.call(serviceMethod, args, options);
    } finally {
      this.#freshClients.delete(client);
      // Not awaited: the reply is the caller's as soon as it arrives. close() waits for it.
      this.#track(client.close());
    }
  }

  /** Closes the connections of these servers that carry no call, so that calls abandoned on them stop. */
  closeIdle(addresses: readonly string[]): void {
    for (const address of addresses) {
      const entry = this.#entries.get(address);
      if (entry === undefined || entry.inFlight > 0 || entry.client === undefined) continue;
      this.#track(entry.client.close());
      entry.client = undefined;
    }
  }

  /**
   * Forgets servers no longer listed and returns their entries; their connections close once
   * their last call settles.
   */
  prune(servers: readonly string[]): ClientEntry[] {
    const retired: ClientEntry[] = [];
    if (this.#entries.size === 0) return retired;
    const listed = new Set(servers);
    for (const [address, entry] of this.#entries) {
      if (listed.has(address)) continue;
      this.#entries.delete(address);
      entry.retired = true;
      retired.push(entry);
      if (entry.inFlight === 0) this.#closeEntry(entry);
      else this.#retiring.add(entry);
    }
    return retired;
  }

  stats(): PoolStats {
    let openClients = this.#freshClients.size;
    let inFlight = 0;
    for (const entry of [...this.#entries.values(), ...this.#retiring]) {
      inFlight += entry.inFlight;
      if (entry.client?.isAvailable()) openClients++;
    }
    return { dials: this.#dials, openClients, inFlight };
  }

  get closed(): boolean {
    return this.#closed !== undefined;
  }

  /**
   * Closes every connection; pending calls reject with ERR_CONN_CLOSED, later dials with
   * ERR_XCLIENT_CLOSED. Rejects with ERR_CLOSE_FAILED listing any close that failed.
   */
  close(): Promise<void> {
    this.#closed ??= this.#closeAll();
    return this.#closed;
  }

  /**
   * connect(), waited for no longer than the call's timeout and signal allow; resolves with the
   * call's options for the time left. Only calls that find no usable connection come here.
   */
  async connectFor(
    entry: ClientEntry,
    serviceMethod: string,
    options: CallOptions | undefined,
  ): Promise<[Client, CallOptions | undefined]> {
    const timeoutMs = options?.timeoutMs ?? this.#clientOptions.callTimeoutMs;
    const startMs = performance.now();
    const client = await dialWithinCall(this.connect(entry), serviceMethod, timeoutMs, options?.signal);
    return [client, optionsAfterDial(options, timeoutMs, startMs)];
  }

  /** Dials the entry's server once, however many callers wait for it. */
  connect(entry: ClientEntry): Promise<Client> {
    if (entry.dialing !== undefined) return entry.dialing;
    const stale = entry.client;
    entry.client = undefined;
    // Its connection is already broken: closing only releases what is left of it.
    if (stale !== undefined) this.#track(stale.close());
    const dialing: Promise<Client> = this.#open(entry.address).then(
      (client) => {
        if (entry.dialing === dialing) entry.dialing = undefined;
        if (this.#closed !== undefined) {
          this.#track(client.close());
          throw new XClientClosedError();
        }
        entry.client = client;
        return client;
      },
      (error: unknown) => {
        if (entry.dialing === dialing) entry.dialing = undefined;
        throw error;
      },
    );
    entry.dialing = dialing;
    return dialing;
  }

  async #open(address: string): Promise<Client> {
    if (this.#closed !== undefined) throw new XClientClosedError();
    this.#dials++;
    return this.#dial(address, this.#clientOptions);
  }

  #closeEntry(entry: ClientEntry): void {
    this.#retiring.delete(entry);
    if (entry.client !== undefined) this.#track(entry.client.close());
    entry.client = undefined;
  }

  #track(closing: Promise<void>): void {
    const tracked = closing.then(
      () => {
        this.#closing.delete(tracked);
      },
      (error: unknown) => {
        this.#closing.delete(tracked);
        if (this.#closeFailures.length < MAX_KEPT_CLOSE_FAILURES) {
          this.#closeFailures.push(error instanceof Error ? error : new Error(String(error)));
        }
      },
    );
    this.#closing.add(tracked);
  }

  async #closeAll(): Promise<void> {
    const entries = [...this.#entries.values(), ...this.#retiring];
    this.#entries.clear();
    this.#retiring.clear();
    const closes: Promise<void>[] = entries.map(async (entry) => {
      // A dial finishing after close() closes its own client (see connect): only wait for it.
      if (entry.dialing !== undefined) await entry.dialing.catch(() => undefined);
      const client = entry.client;
      entry.client = undefined;
      if (client !== undefined) await client.close();
    });
    for (const client of this.#freshClients) closes.push(client.close());
    this.#freshClients.clear();
    const results = await Promise.allSettled(closes);
    await Promise.all(this.#closing);
    const failures = [...this.#closeFailures];
    for (const result of results) {
      if (result.status === 'rejected') {
        failures.push(result.reason instanceof Error ? result.reason : new Error(String(result.reason)));
      }
    }
    if (failures.length > 0) throw new CloseFailedError(failures);
  }
}
