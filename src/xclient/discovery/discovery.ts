import type { SelectMode } from '../select-mode.ts';

/** What a selector may use besides the server list. Passed through `Discovery.get`. */
export interface SelectHint {
  /** The call's key: required by consistent-hash, ignored by the other modes. */
  key?: string;
  /** Calls in flight per server, as the XClient counts them: what p2c compares. */
  inFlight?: (address: string) => number;
  /** Cost of the next call per server (peak-EWMA latency × (in-flight + 1)): what peak-ewma compares. */
  cost?: (address: string) => number;
  /** Servers taken out of selection by outlier detection: every mode picks among the others. */
  ejected?: EjectedServers;
}

/** A set of servers out of selection; `version` changes whenever the set does. */
export interface EjectedServers {
  readonly version: number;
  readonly size: number;
  has(address: string): boolean;
}

/** Where an XClient learns its servers, and how it picks one. */
export interface Discovery {
  /** Reloads the server list from its source; a static list has nothing to reload. */
  refresh(): Promise<void>;
  /** Replaces the server list. */
  update(servers: readonly string[]): Promise<void>;
  /** Picks one server; rejects with ERR_NO_SERVERS when there is none. */
  get(mode: SelectMode, hint?: SelectHint): Promise<string>;
  /** A copy of the server list. */
  getAll(): Promise<string[]>;
  close(): Promise<void>;
  /**
   * Picks a server at once when the list is already known, or returns undefined when only the
   * asynchronous `get` can answer. Lets the XClient count a call in flight in the same tick as its
   * selection (p2c depends on it) and saves a promise per call.
   */
  trySelect?(mode: SelectMode, hint?: SelectHint): string | undefined;
  /** Calls `listener` with the new list whenever it changes; returns the unsubscribe function. */
  subscribe?(listener: (servers: readonly string[]) => void): () => void;
}
