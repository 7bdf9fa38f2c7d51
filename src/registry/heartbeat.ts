import { parseAddress } from '../rpc/address.ts';
import { InvalidArgumentError } from '../util/errors.ts';
import { DEFAULT_REGISTRY_REQUEST_TIMEOUT_MS, parseRegistryUrl, sendHeartbeat } from './registry-client.ts';
import { DEFAULT_REGISTRY_EXPIRY_MS } from './registry-protocol.ts';

/** GeeRPC renews a minute before the registry's default expiry. */
export const DEFAULT_HEARTBEAT_INTERVAL_MS = DEFAULT_REGISTRY_EXPIRY_MS - 60_000;
/** After a failed beat the next try comes this soon, unless the interval is shorter. */
export const DEFAULT_HEARTBEAT_RETRY_MS = 1_000;

export interface HeartbeatOptions {
  /** Time between renewals; keep it below the registry's expiry. @default 240000 (4 min) */
  intervalMs?: number;
  /** Time before retrying after a failed renewal. @default 1000, or intervalMs if shorter */
  retryMs?: number;
  /** Each renewal request gives up after this long. @default 5000 */
  requestTimeoutMs?: number;
  /**
   * Told of failed renewals; the heartbeat goes on regardless.
   * @default logs the first failure of a run of failures, and the recovery, with console.error
   */
  onError?: (error: Error) => void;
}

export interface Heartbeat {
  /** Resolves at the first successful registration. */
  readonly registered: Promise<void>;
  /** Renewals that succeeded so far. */
  readonly beats: number;
  /** Stops renewing (the registry forgets the server after its expiry) and waits for a request in progress. */
  stop(): Promise<void>;
}

/**
 * Registers `address` with the registry at once, then renews it every `intervalMs`. Failures
 * (registry down, restarted, slow) never stop it: it retries after `retryMs` until stopped.
 * Its timer does not keep the process alive: the server it announces does.
 */
export function startHeartbeat(
  registryUrl: string,
  address: string,
  options: HeartbeatOptions = {},
): Heartbeat {
  const url = parseRegistryUrl(registryUrl);
  parseAddress(address);
  const intervalMs = options.intervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS;
  const retryMs = options.retryMs ?? Math.min(DEFAULT_HEARTBEAT_RETRY_MS, intervalMs);
  const requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REGISTRY_REQUEST_TIMEOUT_MS;
  for (const [name, value] of [
    ['intervalMs', intervalMs],
    ['retryMs', retryMs],
    ['requestTimeoutMs', requestTimeoutMs],
  ] as const) {
    if (!Number.isFinite(value) || value <= 0) {
      throw new InvalidArgumentError(`options.${name} must be a positive number of milliseconds`);
    }
  }
  const outageLog = options.onError === undefined ? new OutageLog(registryUrl, address) : undefined;
  const onError = options.onError ?? ((error: Error) => outageLog!.failed(error));
  const controller = new AbortController();
  let resolveRegistered!: () => void;
  const registered = new Promise<void>((resolve) => {
    resolveRegistered = resolve;
  });
  let beats = 0;
  let failing = false;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let inProgress: Promise<void> | undefined;

  const beat = async (): Promise<void> => {
    let nextMs = intervalMs;
    try {
      await sendHeartbeat(url, address, requestTimeoutMs, controller.signal);
      beats++;
      if (failing) outageLog?.recovered();
      failing = false;
      resolveRegistered();
    } catch (error) {
      if (stopped) return;
      failing = true;
      nextMs = retryMs;
      onError(error as Error);
    }
    if (stopped) return;
    timer = setTimeout(() => {
      inProgress = beat();
    }, nextMs);
    timer.unref();
  };
  inProgress = beat();

  return {
    registered,
    get beats() {
      return beats;
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      controller.abort();
      await inProgress;
    },
  };
}

/** Logs the first failure of an outage and its end, not every retry. */
class OutageLog {
  readonly #registryUrl: string;
  readonly #address: string;
  #reported = false;

  constructor(registryUrl: string, address: string) {
    this.#registryUrl = registryUrl;
    this.#address = address;
  }

  failed(error: Error): void {
    if (this.#reported) return;
    this.#reported = true;
    console.error(`rpc registry: heartbeat of ${this.#address} failed, retrying: ${error.message}`);
  }

  recovered(): void {
    if (!this.#reported) return;
    this.#reported = false;
    console.error(`rpc registry: heartbeat of ${this.#address} to ${this.#registryUrl} succeeds again`);
  }
}
