import {
  type CallOptions,
  type ClientOptions,
  type ReplyHandler,
  resolveClientOptions,
} from '../rpc/client.ts';
import { dial } from '../rpc/dial.ts';
import { CallAbortedError, isTransportError } from '../rpc/errors.ts';
import { InvalidArgumentError, isRpcError } from '../util/errors.ts';
import { ClientEntry } from './client-entry.ts';
import { ConnectionPool, type DialFunction, type PoolStats } from './connection-pool.ts';
import type { Discovery } from './discovery/discovery.ts';
import { NoServersError, UnsupportedModeError, withAddress, XClientClosedError } from './errors.ts';
import { FAIL_MODES, type FailMode, isFailMode } from './fail-mode.ts';
import { DEFAULT_PEAK_EWMA_DECAY_MS, LatencyEstimates } from './latency/latency-estimates.ts';
import { OutlierDetector, type OutlierEvent } from './outlier/outlier-detector.ts';
import { type OutlierDetectionOptions, resolveOutlierDetection } from './outlier/outlier-options.ts';
import { isSelectMode, type SelectMode } from './select-mode.ts';
import type { SelectHint } from './selectors/select-hint.ts';

export const DEFAULT_FAIL_MODE: FailMode = 'failfast';
export const DEFAULT_RETRIES = 3;
export const DEFAULT_REUSE_CLIENTS = true;
/** Outlier checks run no more often than this, ms. */
const MIN_OUTLIER_TICK_MS = 10;

export type { DialFunction };

/** Every option of ClientOptions reaches every client the XClient dials. */
export interface XClientOptions extends ClientOptions {
  /** What a call does when its server fails at the transport level. @default 'failfast' */
  failMode?: FailMode;
  /** Further attempts for failover and failtry: a call makes at most retries + 1. @default 3 */
  retries?: number;
  /** false: dial, call and close for every call, to measure what reuse saves. @default true */
  reuseClients?: boolean;
  /** Opens a connection; replaced to instrument or fake connections. @default dial from src/rpc/dial.ts */
  dial?: DialFunction;
  /** peak-ewma only: the time constant of the latency estimate, ms. @default 1000 */
  peakEwmaDecayMs?: number;
  /** Takes servers that fail too often out of selection for a while, in any select mode. @default off */
  outlierDetection?: OutlierDetectionOptions;
  /** Told of every ejection and return; `atMs` is on the performance.now() clock. */
  onOutlierEvent?: (event: OutlierEvent) => void;
}

export interface XCallOptions extends CallOptions {
  /** The key consistent-hash maps to a server; other modes ignore it. */
  key?: string;
}

export interface CallOutcome<R> {
  reply: R;
  /** The server that answered. */
  address: string;
  /** 1, or more when failover or failtry retried. */
  attempts: number;
  /** performance.now() as the reply arrived: a caller timing the call needs no clock read of its own. */
  endMs: number;
}

/**
 * Where callInto() delivers a call's end: a caller with one call in flight at a time, such as a
 * load loop's caller, which keeps one receiver (and its outcome object) for all its calls.
 */
export interface CallReceiver<R = unknown> {
  /** Filled in place and handed to answered(): read it there, before the next call reuses it. */
  readonly outcome: CallOutcome<R>;
  answered(outcome: CallOutcome<R>): void;
  failed(error: unknown): void;
}

export interface BroadcastOutcome<R> {
  address: string;
  reply?: R;
  error?: Error;
  latencyMs: number;
}

/** One call through its attempts: what a retry needs of it. */
interface PendingCall {
  serviceMethod: string;
  args: unknown;
  options: XCallOptions | undefined;
  outcome: CallOutcome<unknown> | undefined;
  /** When the current attempt started (performance.now()), read only when attempts are timed. */
  startMs: number;
  /** Servers this call failed on; made only on a failover. */
  tried: string[] | undefined;
}

/** A callInto() call's first attempt, the context its client hands back with the reply. */
class ReceivedCall {
  constructor(
    readonly receiver: CallReceiver,
    readonly entry: ClientEntry,
    readonly startMs: number,
    readonly serviceMethod: string,
    readonly args: unknown,
    readonly options: XCallOptions | undefined,
  ) {}
}

/** Connections opened, open now, and calls (including broadcast calls) not yet settled. */
export type XClientStats = PoolStats;

/**
 * A client over many servers: selects one per call through its discovery and select mode, keeps
 * one connection per server, retries by its fail mode, and broadcasts to all.
 */
export class XClient {
  readonly #discovery: Discovery;
  readonly #mode: SelectMode;
  readonly #failMode: FailMode;
  readonly #retries: number;
  readonly #reuseClients: boolean;
  readonly #pool: ConnectionPool;
  /** The hint of calls without a key: one object for all of them. */
  readonly #hint: SelectHint;
  readonly #unsubscribe: (() => void) | undefined;
  /** peak-ewma's latency estimates; undefined in the other modes. */
  readonly #latency: LatencyEstimates | undefined;
  readonly #outliers: OutlierDetector | undefined;
  readonly #outlierTimer: NodeJS.Timeout | undefined;
  /** peak-ewma or outlier detection times each attempt. */
  readonly #observed: boolean;
  #failoverTurn = 0;
  /** Ends callInto() calls' first attempts: one handler for all, so a call makes no promise. */
  readonly #receivedCalls: ReplyHandler<ReceivedCall> = {
    onReply: (reply, call) =>
      call.receiver.answered(
        this.#answered(call.entry, reply, call.receiver.outcome, call.startMs, 1) as CallOutcome<unknown>,
      ),
    onError: (error, call) => {
      const { receiver } = call;
      this.#retry(
        call.serviceMethod,
        call.args,
        call.options,
        receiver.outcome,
        call.startMs,
        call.entry,
        error,
      ).then(receiver.answered as (outcome: unknown) => void, receiver.failed);
    },
  };
  /** The subscription has delivered a list: the initial getAll() snapshot is stale then. */
  #listUpdated = false;
  #closed: Promise<void> | undefined;

  constructor(discovery: Discovery, mode: SelectMode, options: XClientOptions = {}) {
    if (discovery === null || typeof discovery !== 'object' || typeof discovery.get !== 'function') {
      throw new InvalidArgumentError('discovery must implement the Discovery interface');
    }
    if (!isSelectMode(mode)) throw new UnsupportedModeError(mode);
    const failMode = options.failMode ?? DEFAULT_FAIL_MODE;
    if (!isFailMode(failMode)) {
      throw new InvalidArgumentError(`options.failMode must be one of ${FAIL_MODES.join(', ')}`);
    }
    const retries = options.retries ?? DEFAULT_RETRIES;
    if (!Number.isSafeInteger(retries) || retries < 0) {
      throw new InvalidArgumentError('options.retries must be a non-negative integer');
    }
    const reuseClients = options.reuseClients ?? DEFAULT_REUSE_CLIENTS;
    if (typeof reuseClients !== 'boolean') {
      throw new InvalidArgumentError('options.reuseClients must be a boolean');
    }
    const dialFunction = options.dial ?? dial;
    if (typeof dialFunction !== 'function') throw new InvalidArgumentError('options.dial must be a function');
    this.#discovery = discovery;
    this.#mode = mode;
    this.#failMode = failMode;
    this.#retries = retries;
    this.#reuseClients = reuseClients;
    // Validated now, so that a bad option fails here rather than at the first dial.
    this.#pool = new ConnectionPool(dialFunction, resolveClientOptions(options));
    if (mode === 'peak-ewma') {
      const decayMs = options.peakEwmaDecayMs ?? DEFAULT_PEAK_EWMA_DECAY_MS;
      if (!Number.isFinite(decayMs) || decayMs <= 0) {
        throw new InvalidArgumentError(
          `options.peakEwmaDecayMs must be a positive number of ms, got ${decayMs}`,
        );
      }
      this.#latency = new LatencyEstimates(decayMs, this.#pool.entryOf);
    }
    if (options.outlierDetection !== undefined) {
      const outlierOptions = resolveOutlierDetection(options.outlierDetection);
      const outliers = new OutlierDetector(outlierOptions, performance.now(), options.onOutlierEvent);
      this.#outliers = outliers;
      // A list the subscription delivered first is newer than this snapshot, which may predate it.
      void discovery.getAll().then(
        (servers) => {
          if (!this.#listUpdated) outliers.update(servers, performance.now());
        },
        () => {},
      );
      // A tenth of the shorter period: a server returns at most 10 % of its back-off late.
      const tickMs = Math.max(
        MIN_OUTLIER_TICK_MS,
        Math.min(outlierOptions.intervalMs, outlierOptions.baseEjectionMs) / 10,
      );
      this.#outlierTimer = setInterval(() => outliers.tick(performance.now()), tickMs);
      this.#outlierTimer.unref();
    }
    this.#observed = this.#latency !== undefined || this.#outliers !== undefined;
    this.#hint = {
      inFlight: this.#pool.inFlightOf,
      ...(this.#latency === undefined ? {} : { cost: this.#latency.costOf }),
      ...(this.#outliers === undefined ? {} : { ejected: this.#outliers }),
    };
    this.#unsubscribe = discovery.subscribe?.((servers) => {
      this.#listUpdated = true;
      const retired = this.#pool.prune(servers);
      this.#latency?.forget(retired);
      this.#outliers?.update(servers, performance.now());
    });
  }

  get mode(): SelectMode {
    return this.#mode;
  }

  call<R = unknown>(serviceMethod: string, args: unknown, options?: XCallOptions): Promise<R> {
    return this.#run(serviceMethod, args, options, undefined, undefined, undefined) as Promise<R>;
  }

  /**
   * As call(), also telling which server answered, after how many attempts, and when. `startMs`,
   * the caller's performance.now() reading as the call starts, spares peak-ewma and outlier
   * detection a clock read of their own: with the outcome's `endMs`, a caller that times its calls
   * and these modes share the same two readings.
   */
  callDetailed<R = unknown>(
    serviceMethod: string,
    args: unknown,
    options?: XCallOptions,
    startMs?: number,
  ): Promise<CallOutcome<R>> {
    // #run fills the outcome and resolves to it: no second async layer.
    const outcome: CallOutcome<R> = { reply: undefined as R, address: '', attempts: 0, endMs: 0 };
    return this.#run(serviceMethod, args, options, outcome, startMs, undefined) as Promise<CallOutcome<R>>;
  }

  /**
   * As callDetailed(), for a load loop's hot path: the outcome is filled into the receiver's own
   * object and handed to `receiver.answered`, or the error to `receiver.failed`, always after
   * callInto() has returned. No outcome object and no promise of its own are made per call.
   */
  callInto<R = unknown>(
    serviceMethod: string,
    args: unknown,
    options: XCallOptions | undefined,
    startMs: number | undefined,
    receiver: CallReceiver<R>,
  ): void {
    const pending = this.#run(
      serviceMethod,
      args,
      options,
      receiver.outcome,
      startMs,
      receiver as CallReceiver,
    );
    // A call that had to dial, wait or retry comes back as a promise; #run delivers the common one itself.
    pending?.then(receiver.answered as (outcome: unknown) => void, receiver.failed);
  }

  /**
   * Calls every server at once. The first failure aborts the other calls (through one signal,
   * joined with the caller's) and is the rejection; otherwise one of the replies is the result.
   * A call it aborts is cancelled on its server too: GeeRPC has no cancel frame, so a connection
   * left with nothing else in flight is closed, and the handler's `ctx.signal` fires.
   */
  async broadcast<R = unknown>(serviceMethod: string, args: unknown, options?: CallOptions): Promise<R> {
    const servers = await this.#broadcastServers();
    // One signal for every call of the broadcast: the first failure or the caller aborts them all.
    const controller = new AbortController();
    const callerSignal = options?.signal;
    if (callerSignal?.aborted) throw new CallAbortedError(serviceMethod, callerSignal.reason);
    const onCallerAbort = () => controller.abort(callerSignal!.reason);
    callerSignal?.addEventListener('abort', onCallerAbort, { once: true });
    const callOptions: CallOptions = { ...options, signal: controller.signal };
    let failure: Error | undefined;
    let reply: unknown;
    let replied = false;
    const abandoned: string[] = [];
    await Promise.all(
      servers.map((address) =>
        this.#callOnce(address, serviceMethod, args, callOptions).then(
          (value) => {
            if (replied) return;
            replied = true;
            reply = value;
          },
          (error: Error) => {
            if (isRpcError(error, 'ERR_CALL_ABORTED')) abandoned.push(address);
            if (failure !== undefined) return;
            failure = withAddress(error, address);
            controller.abort(failure);
          },
        ),
      ),
    );
    callerSignal?.removeEventListener('abort', onCallerAbort);
    if (this.#reuseClients) this.#pool.closeIdle(abandoned);
    if (failure !== undefined) throw failure;
    return reply as R;
  }

  /** Calls every server at once and reports each outcome; rejects only when there is no server. */
  async broadcastAll<R = unknown>(
    serviceMethod: string,
    args: unknown,
    options?: CallOptions,
  ): Promise<BroadcastOutcome<R>[]> {
    const servers = await this.#broadcastServers();
    // Calls refused before they were sent leave nothing to cancel on the servers.
    const abortedBefore = options?.signal?.aborted === true;
    const abandoned: string[] = [];
    const outcomes = await Promise.all(
      servers.map(async (address): Promise<BroadcastOutcome<R>> => {
        const startMs = performance.now();
        try {
          const reply = (await this.#callOnce(address, serviceMethod, args, options)) as R;
          return { address, reply, latencyMs: performance.now() - startMs };
        } catch (error) {
          if (isRpcError(error, 'ERR_CALL_ABORTED')) abandoned.push(address);
          const asError = error instanceof Error ? error : new Error(String(error));
          return { address, error: withAddress(asError, address), latencyMs: performance.now() - startMs };
        }
      }),
    );
    if (!abortedBefore && this.#reuseClients) this.#pool.closeIdle(abandoned);
    return outcomes;
  }

  stats(): XClientStats {
    return this.#pool.stats();
  }

  /**
   * Closes every connection; calls still pending reject with ERR_CONN_CLOSED and later ones with
   * ERR_XCLIENT_CLOSED. Rejects with ERR_CLOSE_FAILED listing any close that failed. The
   * discovery belongs to the caller and stays open.
   */
  close(): Promise<void> {
    this.#closed ??= (async () => {
      this.#unsubscribe?.();
      clearInterval(this.#outlierTimer);
      await this.#pool.close();
    })();
    return this.#closed;
  }

  /**
   * One call, from the pick to its end. The common case, a server picked at once whose connection
   * is up, runs without an async frame of its own: that frame and its extra promise were most of
   * what the XClient added per call. Given a receiver, that case makes no promise at all: the
   * client delivers the reply to #receivedCalls, which hands it on (undefined is returned).
   * Everything else (a discovery that must wait, a dial, calls without reuse, a retry) goes
   * through #attempts, whose promise is returned, for the caller to deliver.
   */
  #run(
    serviceMethod: string,
    args: unknown,
    options: XCallOptions | undefined,
    outcome: CallOutcome<unknown> | undefined,
    givenStartMs: number | undefined,
    receiver: CallReceiver | undefined,
  ): Promise<unknown> | undefined {
    try {
      if (this.#closed !== undefined) throw new XClientClosedError();
      const hint = options?.key === undefined ? this.#hint : { ...this.#hint, key: options.key };
      const startMs = this.#observed ? (givenStartMs ?? performance.now()) : 0;
      if (this.#latency !== undefined) this.#latency.nowMs = startMs;
      const address = this.#discovery.trySelect?.(this.#mode, hint);
      // Acquired now: the next call's selection sees this one in flight.
      const entry = address === undefined ? undefined : this.#pool.acquire(address);
      const client = entry === undefined || !this.#reuseClients ? undefined : this.#pool.usableClient(entry);
      if (client === undefined) {
        const call: PendingCall = { serviceMethod, args, options, outcome, startMs, tried: undefined };
        return this.#attempts(call, entry ?? this.#discovery.get(this.#mode, hint), 1);
      }
      if (receiver !== undefined) {
        const call = new ReceivedCall(receiver, entry!, startMs, serviceMethod, args, options);
        client.callWith(serviceMethod, args, options, this.#receivedCalls, call);
        return undefined;
      }
      const pending = client.call(serviceMethod, args, options);
      return pending.then(
        (reply) => this.#answered(entry!, reply, outcome, startMs, 1),
        (error: unknown) => this.#retry(serviceMethod, args, options, outcome, startMs, entry!, error),
      );
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** After the first attempt failed: the fail mode's next attempts, on a record made only now. */
  #retry(
    serviceMethod: string,
    args: unknown,
    options: XCallOptions | undefined,
    outcome: CallOutcome<unknown> | undefined,
    startMs: number,
    entry: ClientEntry,
    error: unknown,
  ): Promise<unknown> {
    const call: PendingCall = { serviceMethod, args, options, outcome, startMs, tried: undefined };
    this.#attemptFailed(call, entry, error);
    return this.#attempts(call, this.#nextAddress(call, entry.address, error, 1), 2);
  }

  /**
   * Attempts from `attempt` on, until one is answered or the fail mode gives up; the first on
   * `next`, a server already acquired or one still to be chosen.
   */
  async #attempts(call: PendingCall, next: ClientEntry | Promise<string>, attempt: number): Promise<unknown> {
    let entry = next instanceof ClientEntry ? next : this.#pool.acquire(await next);
    for (; ; attempt++) {
      const address = entry.address;
      let reply: unknown;
      try {
        if (this.#reuseClients) {
          const client = this.#pool.usableClient(entry);
          if (client !== undefined) {
            reply = await client.call(call.serviceMethod, call.args, call.options);
          } else {
            const [dialed, callOptions] = await this.#pool.connectFor(
              entry,
              call.serviceMethod,
              call.options,
            );
            reply = await dialed.call(call.serviceMethod, call.args, callOptions);
          }
        } else {
          reply = await this.#pool.callFresh(address, call.serviceMethod, call.args, call.options);
        }
      } catch (error) {
        this.#attemptFailed(call, entry, error);
        entry = this.#pool.acquire(await this.#nextAddress(call, address, error, attempt));
        continue;
      }
      return this.#answered(entry, reply, call.outcome, call.startMs, attempt);
    }
  }

  /** Ends an answered attempt: the estimates fed, the entry released, the reply or the outcome filled. */
  #answered(
    entry: ClientEntry,
    reply: unknown,
    outcome: CallOutcome<unknown> | undefined,
    startMs: number,
    attempt: number,
  ): unknown {
    // Read once, for the estimates and the caller alike; a plain call() that observes nothing reads none.
    const endMs = this.#observed || outcome !== undefined ? performance.now() : 0;
    if (this.#observed) this.#observe(entry, startMs, endMs, false, undefined);
    this.#pool.release(entry);
    if (outcome === undefined) return reply;
    outcome.reply = reply;
    outcome.address = entry.address;
    outcome.attempts = attempt;
    outcome.endMs = endMs;
    return outcome;
  }

  /** Ends a failed attempt: the estimates fed, the entry released; the next attempt starts now. */
  #attemptFailed(call: PendingCall, entry: ClientEntry, error: unknown): void {
    if (this.#observed) {
      const endMs = performance.now();
      this.#observe(entry, call.startMs, endMs, true, error);
      call.startMs = endMs;
    }
    this.#pool.release(entry);
  }

  /** The server of the next attempt by the fail mode; rejects with the failure when there is none. */
  async #nextAddress(call: PendingCall, failed: string, error: unknown, attempt: number): Promise<string> {
    if (!this.#shouldRetry(error, attempt, call.options)) throw withAddress(error, failed);
    if (this.#failMode !== 'failover') return failed;
    call.tried ??= [];
    const next = await this.#failoverAddress(failed, call.tried);
    if (next === undefined) throw withAddress(error, failed);
    return next;
  }

  /** Feeds one attempt's outcome to peak-ewma's estimates and to outlier detection. */
  #observe(entry: ClientEntry, startMs: number, endMs: number, failed: boolean, error: unknown): void {
    this.#latency?.observe(entry, endMs - startMs, endMs, failed);
    if (this.#outliers === undefined) return;
    if (failed) this.#outliers.failure(entry.address, error, endMs);
    else this.#outliers.success(entry.address);
  }

  /** One call to one given server, without retries: what a broadcast makes per server. */
  async #callOnce(
    address: string,
    serviceMethod: string,
    args: unknown,
    options: CallOptions | undefined,
  ): Promise<unknown> {
    const entry = this.#pool.acquire(address);
    try {
      if (!this.#reuseClients) return await this.#pool.callFresh(address, serviceMethod, args, options);
      const client = this.#pool.usableClient(entry);
      if (client !== undefined) return await client.call(serviceMethod, args, options);
      const [dialed, callOptions] = await this.#pool.connectFor(entry, serviceMethod, options);
      return await dialed.call(serviceMethod, args, callOptions);
    } finally {
      this.#pool.release(entry);
    }
  }

  #shouldRetry(error: unknown, attempt: number, options: CallOptions | undefined): boolean {
    return (
      this.#failMode !== 'failfast' &&
      attempt <= this.#retries &&
      this.#closed === undefined &&
      options?.signal?.aborted !== true &&
      isTransportError(error)
    );
  }

  /** A server not tried yet for this call if any, else any other; taken in turn to spread the load. */
  async #failoverAddress(failed: string, tried: string[]): Promise<string | undefined> {
    tried.push(failed);
    const servers = await this.#discovery.getAll();
    this.#pool.prune(servers);
    let candidates = servers.filter((address) => !tried.includes(address));
    if (candidates.length === 0) candidates = servers.filter((address) => address !== failed);
    if (candidates.length === 0) candidates = servers;
    if (candidates.length === 0) return undefined;
    return candidates[this.#failoverTurn++ % candidates.length];
  }

  async #broadcastServers(): Promise<string[]> {
    if (this.#closed !== undefined) throw new XClientClosedError();
    const servers = await this.#discovery.getAll();
    this.#pool.prune(servers);
    if (servers.length === 0) throw new NoServersError();
    return servers;
  }
}
