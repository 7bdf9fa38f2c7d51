import { InvalidAddressError } from './errors.ts';

export type Transport = 'tcp' | 'unix' | 'http';

/** A parsed `protocol@address`, GeeRPC's address form: `tcp@127.0.0.1:9999`, `unix@/tmp/x.sock`, `http@[::1]:80`. */
export type Endpoint =
  | { transport: 'tcp' | 'http'; host: string; port: number }
  | { transport: 'unix'; path: string };

const FORMAT = 'expected tcp@host:port, http@host:port or unix@/path';

export function parseAddress(address: string): Endpoint {
  const at = address.indexOf('@');
  if (at <= 0) throw new InvalidAddressError(address, FORMAT);
  const transport = address.slice(0, at);
  const rest = address.slice(at + 1);
  if (transport === 'unix') {
    if (rest.length === 0) throw new InvalidAddressError(address, 'unix socket path is empty');
    return { transport, path: rest };
  }
  if (transport !== 'tcp' && transport !== 'http') {
    throw new InvalidAddressError(address, `unknown transport "${transport}", ${FORMAT}`);
  }
  const colon = rest.lastIndexOf(':');
  if (colon <= 0) throw new InvalidAddressError(address, `missing port, ${FORMAT}`);
  let host = rest.slice(0, colon);
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  const portText = rest.slice(colon + 1);
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535) {
    throw new InvalidAddressError(address, `port "${portText}" is not a number from 0 to 65535`);
  }
  return { transport, host, port };
}

export function formatAddress(endpoint: Endpoint): string {
  if (endpoint.transport === 'unix') return `unix@${endpoint.path}`;
  const host = endpoint.host.includes(':') ? `[${endpoint.host}]` : endpoint.host;
  return `${endpoint.transport}@${host}:${endpoint.port}`;
}
