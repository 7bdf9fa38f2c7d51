// `rpcbench/registry`: the GeeRPC HTTP registry, etcd registration and heartbeats.

export type { AddressPattern } from '../registry/allow-list.ts';
export { LOOPBACK_ONLY } from '../registry/allow-list.ts';
export {
  EtcdUnavailableError,
  RegistrationRefusedError,
  RegistryUnavailableError,
} from '../registry/errors.ts';
export type { EtcdEndpoints } from '../registry/etcd-client.ts';
export { DEFAULT_ETCD_PREFIX } from '../registry/etcd-client.ts';
export type { EtcdRegistration, EtcdRegistrationOptions } from '../registry/etcd-registration.ts';
export { DEFAULT_ETCD_TTL_SECONDS, registerWithEtcd } from '../registry/etcd-registration.ts';
export type { Heartbeat, HeartbeatOptions } from '../registry/heartbeat.ts';
export { DEFAULT_HEARTBEAT_INTERVAL_MS, startHeartbeat } from '../registry/heartbeat.ts';
export {
  DEFAULT_MAX_SERVERS,
  DEFAULT_REGISTRY_EXPIRY_MS,
  DEFAULT_REGISTRY_PATH,
} from '../registry/registry-protocol.ts';
export type { RegistryServerOptions } from '../registry/registry-server.ts';
export { RegistryServer } from '../registry/registry-server.ts';
