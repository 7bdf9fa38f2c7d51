import { parseAddress } from '../rpc/address.ts';
import { InvalidArgumentError } from '../util/errors.ts';

/**
 * Which addresses a registry accepts. A pattern is written like an address, `network@host:port`
 * or `unix@path`, or is `*` alone (any address). Each part is matched on its own:
 * - a part that is `*` alone matches any value of that part (`*@*:*` is any tcp or http address,
 *   `unix@*` any socket path);
 * - otherwise `*` matches a run of characters without `.`, `:` or `/`: one IPv4 octet, DNS label,
 *   port or path segment (so `10.0.0.*` never matches `10.0.0.1.example.com`);
 * - a host written as an IPv4 address (`127.*.*.*`) only matches IPv4 addresses, each `*` an
 *   octet from 0 to 255 (so `127.*.*.*` never matches the name `127.example.co.uk`).
 * Hosts compare without regard to case; IPv6 hosts are written in brackets: `tcp@[::1]:*`.
 */
export type AddressPattern = string;

/** Loopback only: tcp and http on 127.0.0.0/8 and [::1]; no unix sockets. */
export const LOOPBACK_ONLY: readonly AddressPattern[] = Object.freeze([
  'tcp@127.*.*.*:*',
  'http@127.*.*.*:*',
  'tcp@[::1]:*',
  'http@[::1]:*',
]);

interface CompiledPattern {
  readonly text: string;
  readonly matches: (address: string) => boolean;
}

const IPV4_PATTERN = /^(\d{1,3}|\*)(\.(\d{1,3}|\*)){3}$/;
const IPV4_ADDRESS = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** A part matcher: `*` alone is anything; otherwise `*` is a run without `.`, `:` or `/`. */
function partMatcher(pattern: string, ignoreCase: boolean): (value: string) => boolean {
  if (pattern === '*') return () => true;
  const source = pattern
    .split('*')
    .map((piece) => piece.replace(/[\\^$.|?+()[\]{}]/g, '\\$&'))
    .join('[^.:/]*');
  const regex = new RegExp(`^${source}$`, ignoreCase ? 'i' : '');
  return (value) => regex.test(value);
}

function hostMatcher(pattern: string): (host: string) => boolean {
  const matches = partMatcher(pattern, true);
  if (pattern === '*' || !IPV4_PATTERN.test(pattern)) return matches;
  return (host) => IPV4_ADDRESS.test(host) && matches(host);
}

/** Splits an address as written: network, then host and port, or the unix path. */
function split(address: string): { network: string; host?: string; port?: string; path?: string } {
  const at = address.indexOf('@');
  const network = address.slice(0, at);
  const rest = address.slice(at + 1);
  if (network === 'unix') return { network, path: rest };
  const colon = rest.lastIndexOf(':');
  return { network, host: rest.slice(0, colon), port: rest.slice(colon + 1) };
}

export function compilePattern(text: string, name = 'pattern'): CompiledPattern {
  const bad = (why: string) =>
    new InvalidArgumentError(
      `${name} "${text}" ${why}; write network@host:port, unix@path or *, with * as a wildcard`,
    );
  if (typeof text !== 'string' || text.length === 0) throw bad('is empty');
  if (text === '*') return { text, matches: () => true };
  const at = text.indexOf('@');
  if (at <= 0) throw bad('has no network@');
  const network = text.slice(0, at);
  if (!['tcp', 'http', 'unix', '*'].includes(network)) throw bad('names no network of tcp, http, unix or *');
  const rest = text.slice(at + 1);
  const networkMatches = partMatcher(network, false);
  if (network === 'unix') {
    if (rest.length === 0) throw bad('has no path');
    const pathMatches = partMatcher(rest, false);
    return {
      text,
      matches: (address) => split(address).network === 'unix' && pathMatches(split(address).path!),
    };
  }
  const colon = rest.lastIndexOf(':');
  if (colon <= 0 || colon === rest.length - 1) throw bad('has no host:port');
  const hostPattern = rest.slice(0, colon);
  const portPattern = rest.slice(colon + 1);
  if (!/^[\d*]+$/.test(portPattern)) throw bad('has a port that is neither digits nor *');
  const hostMatches = hostMatcher(hostPattern);
  const portMatches = partMatcher(portPattern, false);
  return {
    text,
    matches(address) {
      const parts = split(address);
      if (parts.network === 'unix' || !networkMatches(parts.network)) return false;
      return hostMatches(parts.host!) && portMatches(parts.port!);
    },
  };
}

/** A compiled allow-list: `allows(address)` for an address parseAddress accepts. */
export class AllowList {
  readonly patterns: readonly AddressPattern[];
  readonly #compiled: readonly CompiledPattern[];

  constructor(patterns: readonly AddressPattern[], name = 'options.allow') {
    if (!Array.isArray(patterns))
      throw new InvalidArgumentError(`${name} must be an array of address patterns`);
    this.#compiled = patterns.map((pattern, i) => compilePattern(pattern, `${name}[${i}]`));
    this.patterns = Object.freeze([...patterns]);
  }

  allows(address: string): boolean {
    parseAddress(address);
    return this.#compiled.some((pattern) => pattern.matches(address));
  }

  describe(): string {
    return this.patterns.length === 0 ? '(empty: nothing is allowed)' : this.patterns.join(' ');
  }
}
