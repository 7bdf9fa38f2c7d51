import type { EtcdEndpoints } from './etcd-client.ts';
import {
  type EtcdRegistration,
  type EtcdRegistrationOptions,
  registerWithEtcd,
} from './etcd-registration.ts';
import { type Heartbeat, type HeartbeatOptions, startHeartbeat } from './heartbeat.ts';

export interface AnnounceOptions {
  /** Renew each address in this GeeRPC registry. */
  registry?: string;
  heartbeat?: HeartbeatOptions;
  /** Register each address in etcd, under a lease. */
  etcd?: EtcdEndpoints;
  etcdRegistration?: EtcdRegistrationOptions;
}

export interface Announcement {
  /** Stops the heartbeats and revokes the etcd leases; safe to call more than once. */
  withdraw(): Promise<void>;
}

/**
 * Makes a server's addresses known to a registry (by heartbeat) and/or to etcd (by lease), as
 * `npm run serve -- --registry/--etcd` do. Rejects if etcd cannot be reached, with nothing left
 * registered; a registry that is down is retried by the heartbeat instead.
 */
export async function announce(
  addresses: readonly string[],
  options: AnnounceOptions,
): Promise<Announcement> {
  const heartbeats: Heartbeat[] = [];
  const registrations: EtcdRegistration[] = [];
  let withdrawn: Promise<void> | undefined;
  const withdraw = (): Promise<void> => {
    withdrawn ??= (async () => {
      const results = await Promise.allSettled([
        ...heartbeats.map((heartbeat) => heartbeat.stop()),
        ...registrations.map((registration) => registration.stop()),
      ]);
      const failure = results.find((result) => result.status === 'rejected');
      if (failure !== undefined) throw failure.reason;
    })();
    return withdrawn;
  };
  try {
    if (options.registry !== undefined) {
      for (const address of addresses)
        heartbeats.push(startHeartbeat(options.registry, address, options.heartbeat));
    }
    if (options.etcd !== undefined) {
      for (const address of addresses) {
        registrations.push(await registerWithEtcd(options.etcd, address, options.etcdRegistration));
      }
    }
  } catch (error) {
    await withdraw().catch(() => undefined);
    throw error;
  }
  return { withdraw };
}
