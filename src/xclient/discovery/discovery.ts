import type { SelectMode } from '../select-mode.ts';
import type { SelectHint } from '../selectors/select-hint.ts';

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
