import { formatAddress, parseAddress } from '../../rpc/address.ts';
import type { PhaseServerSource } from '../../scenario/phase-rpc-setup.ts';
import { GateConfigError } from '../errors.ts';

/**
 * Where one build of the duet is found, as a scenario's `target` finds its servers: a fixed list
 * of addresses, a GeeRPC registry, or etcd under a key prefix.
 */
export type DuetTargetSource =
  | { kind: 'addresses'; addresses: string[] }
  | { kind: 'registry'; url: string }
  | { kind: 'etcd'; endpoints: string[]; prefix?: string };

const FORMS =
  'comma-separated addresses (tcp@127.0.0.1:9001,http@127.0.0.1:9002), a GeeRPC registry URL ' +
  '(http://127.0.0.1:9999/_geerpc_/registry) or etcd://host:port[,host:port]/key/prefix/';

/**
 * Reads a build's location from the command line: `tcp@…,http@…,unix@…` addresses, an
 * `http(s)://` registry URL, or `etcd://host:port[,host:port]/prefix/` (the endpoints are reached
 * over http://; the prefix is where the build's servers register, default that of EtcdDiscovery).
 */
export function parseDuetTarget(text: string): DuetTargetSource {
  const value = text.trim();
  if (/^https?:\/\//i.test(value)) {
    try {
      new URL(value);
    } catch {
      throw new GateConfigError(`"${value}" is not a registry URL; give ${FORMS}`);
    }
    return { kind: 'registry', url: value };
  }
  if (/^etcd:\/\//i.test(value)) return parseEtcd(value);
  const addresses = value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
  if (addresses.length === 0) throw new GateConfigError(`no address given; give ${FORMS}`);
  try {
    return { kind: 'addresses', addresses: addresses.map((item) => formatAddress(parseAddress(item))) };
  } catch (error) {
    throw new GateConfigError(`${(error as Error).message}; give ${FORMS}`);
  }
}

function parseEtcd(value: string): DuetTargetSource {
  const rest = value.slice('etcd://'.length);
  const slash = rest.indexOf('/');
  const hosts = (slash < 0 ? rest : rest.slice(0, slash)).split(',').filter((host) => host !== '');
  const prefix = slash < 0 || slash === rest.length - 1 ? undefined : rest.slice(slash);
  if (hosts.length === 0 || hosts.some((host) => !/^(\[[0-9a-fA-F:.]+\]|[\w.-]+):\d{1,5}$/.test(host))) {
    throw new GateConfigError(`"${value}": etcd endpoints must be host:port; give ${FORMS}`);
  }
  return {
    kind: 'etcd',
    endpoints: hosts.map((host) => `http://${host}`),
    ...(prefix === undefined ? {} : { prefix }),
  };
}

/** How the probe's discovery reaches the build, and the fixed addresses it is given (none when followed). */
export function duetServers(source: DuetTargetSource): {
  servers: PhaseServerSource;
  addresses: string[];
} {
  if (source.kind === 'addresses') return { servers: { kind: 'addresses' }, addresses: source.addresses };
  return { servers: source, addresses: [] };
}

/** The build's location, for logs and notes. */
export function describeDuetTarget(source: DuetTargetSource): string {
  if (source.kind === 'addresses') return source.addresses.join(', ');
  if (source.kind === 'registry') return `registry ${source.url}`;
  return `etcd ${source.endpoints.join(',')} under ${source.prefix ?? 'the default prefix'}`;
}
