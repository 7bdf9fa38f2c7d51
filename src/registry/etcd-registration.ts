import type { Lease } from 'etcd3';
import { parseAddress } from '../rpc/address.ts';
import { InvalidArgumentError } from '../util/errors.ts';
import { EtcdUnavailableError } from './errors.ts';
import {
  createEtcdClient,
  DEFAULT_ETCD_PREFIX,
  DEFAULT_ETCD_REQUEST_TIMEOUT_MS,
  type EtcdEndpoints,
  validatePrefix,
  validateTimeout,
  withEtcdTimeout,
} from './etcd-client.ts';

export const DEFAULT_ETCD_TTL_SECONDS = 10;
/** After a lost lease, a new one is asked for this often until it is granted. */
const REGRANT_RETRY_MS = 1_000;

export interface EtcdRegistrationOptions {
  /** @default '/rpcbench/servers/' */
  prefix?: string;
  /** The lease's time to live: a server that stops renewing (crashed) disappears after it. @default 10 */
  ttlSeconds?: number;
  /** Connecting and each registration request give up after this long. @default 5000 */
  requestTimeoutMs?: number;
  /** Told when the lease is lost (etcd unreachable for longer than the TTL) or cannot be granted again. @default console.error */
  onError?: (error: Error) => void;
}

export interface EtcdRegistration {
  /** The key that lists the server: `<prefix><address>`. */
  readonly key: string;
  /** Revokes the lease, so discoveries drop the server at once, and closes the etcd client. */
  stop(): Promise<void>;
}

/**
 * Lists `address` in etcd under `<prefix><address>`, attached to a lease that the client keeps
 * alive: the keep-alive is the heartbeat. A lost lease (etcd down longer than the TTL) is granted
 * again and the key re-written, for as long as the registration is not stopped.
 */
export async function registerWithEtcd(
  endpoints: EtcdEndpoints,
  address: string,
  options: EtcdRegistrationOptions = {},
): Promise<EtcdRegistration> {
  parseAddress(address);
  const prefix = validatePrefix(options.prefix ?? DEFAULT_ETCD_PREFIX);
  const ttlSeconds = options.ttlSeconds ?? DEFAULT_ETCD_TTL_SECONDS;
  if (!Number.isSafeInteger(ttlSeconds) || ttlSeconds < 1) {
    throw new InvalidArgumentError('options.ttlSeconds must be a positive integer');
  }
  const requestTimeoutMs = validateTimeout(
    options.requestTimeoutMs ?? DEFAULT_ETCD_REQUEST_TIMEOUT_MS,
    'requestTimeoutMs',
  );
  const onError =
    options.onError ??
    ((error: Error) => console.error(`rpc etcd: registration of ${address}: ${error.message}`));
  const key = `${prefix}${address}`;
  const client = createEtcdClient(endpoints, requestTimeoutMs);
  let lease: Lease | undefined;
  let stopped = false;
  let retryTimer: NodeJS.Timeout | undefined;

  const grant = async (): Promise<void> => {
    const fresh = client.lease(ttlSeconds);
    fresh.on('lost', (error) => {
      if (stopped || fresh !== lease) return;
      onError(new EtcdUnavailableError('keeping the lease alive', error));
      regrant();
    });
    try {
      await withEtcdTimeout(`registering ${address}`, requestTimeoutMs, fresh.put(key).value(address).exec());
    } catch (error) {
      fresh.release();
      throw error;
    }
    lease = fresh;
  };
  const regrant = (): void => {
    lease = undefined;
    grant().catch((error: Error) => {
      if (stopped) return;
      onError(error);
      retryTimer = setTimeout(regrant, REGRANT_RETRY_MS);
      retryTimer.unref();
    });
  };

  try {
    await grant();
  } catch (error) {
    client.close();
    throw error;
  }
  return {
    key,
    async stop() {
      if (stopped) return;
      stopped = true;
      clearTimeout(retryTimer);
      try {
        if (lease !== undefined) {
          await withEtcdTimeout(`revoking the lease of ${address}`, requestTimeoutMs, lease.revoke());
        }
      } finally {
        client.close();
      }
    },
  };
}
