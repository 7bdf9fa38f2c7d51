import type { XCallOptions, XClient } from '../../xclient/xclient.ts';

/** A phase without `calls` still stops after this many: every load is bounded in count and time. */
export const MAX_CALLS_PER_PHASE = 100_000_000;

/** What a load loop calls: the thread's XClients, the method, and the per-call inputs. */
export interface LoadTarget {
  /** Calls are spread over these in turn. */
  clients: readonly XClient[];
  /** Every call goes to all servers (broadcastAll) instead of a selected one. */
  broadcast: boolean;
  serviceMethod: string;
  /** The same arguments for every call: built once, so that no call allocates its own. */
  args: unknown;
  /** Call options used in turn (consistent-hash keys), or undefined for none. Length: a power of two. */
  callOptions: readonly XCallOptions[] | undefined;
}

/** When a loop stops starting calls: at `deadlineMs` (performance.now() clock) or after `maxCalls`. */
export interface LoopLimits {
  startMs: number;
  deadlineMs: number;
  maxCalls: number;
}

/** A running load: run() resolves once no call is left in flight. */
export interface LoadLoop {
  run(): Promise<void>;
  /** Starts no more calls; those in flight finish. */
  stop(): void;
}
