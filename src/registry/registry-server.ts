import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { parseAddress } from '../rpc/address.ts';
import { InvalidArgumentError, isRpcError } from '../util/errors.ts';
import { type AddressPattern, AllowList, LOOPBACK_ONLY } from './allow-list.ts';
import { RegistrationRefusedError } from './errors.ts';
import {
  DEFAULT_MAX_SERVERS,
  DEFAULT_REGISTRY_EXPIRY_MS,
  DEFAULT_REGISTRY_PATH,
  JSON_CONTENT_TYPE,
  MAX_ADDRESS_BYTES,
  MAX_SERVERS_HEADER_BYTES,
  SERVER_HEADER,
  SERVERS_HEADER,
  SERVERS_TRUNCATED_HEADER,
} from './registry-protocol.ts';

/** Expired entries are purged at least this often, however long the expiry. */
export const MAX_PURGE_INTERVAL_MS = 60_000;

export interface RegistryServerOptions {
  /** A registration not renewed for this long is dead; 0 keeps every registration forever. @default 300000 (5 min) */
  expiryMs?: number;
  /** How often dead registrations are dropped from memory. @default expiryMs, at most 60000 */
  purgeIntervalMs?: number;
  /** @default '/_geerpc_/registry' */
  path?: string;
  /**
   * The addresses it accepts (see AddressPattern): `['*']` accepts any; others get 403.
   * @default loopback only: tcp@ and http@ on 127.0.0.0/8 and [::1]; no unix@
   */
  allow?: readonly AddressPattern[];
  /** Registrations held at most; a new address beyond it gets 503, renewals still succeed. @default 10000 */
  maxServers?: number;
}

/**
 * GeeRPC's HTTP registry: `POST` with `X-Geerpc-Server: <address>` registers or renews a server,
 * `GET` answers `X-Geerpc-Servers: a,b,c` with the servers renewed within the expiry (cut to
 * MAX_SERVERS_HEADER_BYTES), or, asked with `Accept: application/json`, `{"servers":[…]}` in full.
 * It takes addresses of at most MAX_ADDRESS_BYTES allowed by `allow`, and at most `maxServers`.
 */
export class RegistryServer {
  readonly #expiryMs: number;
  readonly #purgeIntervalMs: number;
  readonly #path: string;
  readonly #allow: AllowList;
  readonly #maxServers: number;
  /** Address → when it was last renewed, by performance.now(). */
  readonly #renewedAtMs = new Map<string, number>();
  readonly #http: Server;
  #purgeTimer: NodeJS.Timeout | undefined;
  #url: string | undefined;

  constructor(options: RegistryServerOptions = {}) {
    this.#expiryMs = options.expiryMs ?? DEFAULT_REGISTRY_EXPIRY_MS;
    if (!Number.isFinite(this.#expiryMs) || this.#expiryMs < 0) {
      throw new InvalidArgumentError('options.expiryMs must be a non-negative number of milliseconds');
    }
    this.#purgeIntervalMs =
      options.purgeIntervalMs ?? Math.min(this.#expiryMs || MAX_PURGE_INTERVAL_MS, MAX_PURGE_INTERVAL_MS);
    if (!Number.isFinite(this.#purgeIntervalMs) || this.#purgeIntervalMs <= 0) {
      throw new InvalidArgumentError('options.purgeIntervalMs must be a positive number of milliseconds');
    }
    this.#path = options.path ?? DEFAULT_REGISTRY_PATH;
    if (!this.#path.startsWith('/')) throw new InvalidArgumentError('options.path must start with "/"');
    this.#allow = new AllowList(options.allow ?? LOOPBACK_ONLY, 'options.allow');
    this.#maxServers = options.maxServers ?? DEFAULT_MAX_SERVERS;
    if (!Number.isSafeInteger(this.#maxServers) || this.#maxServers <= 0) {
      throw new InvalidArgumentError('options.maxServers must be a positive integer');
    }
    this.#http = createServer((req, res) => this.#handle(req, res));
  }

  /** Starts listening on `host:port` (port 0 picks a free one) and resolves to the registry's URL. */
  async listen(hostPort = '127.0.0.1:0'): Promise<string> {
    const colon = hostPort.lastIndexOf(':');
    const host = hostPort.slice(0, colon).replace(/^\[(.*)\]$/, '$1');
    const port = Number(hostPort.slice(colon + 1));
    if (colon <= 0 || !Number.isInteger(port) || port < 0 || port > 65535) {
      throw new InvalidArgumentError(`listen address must be host:port, got "${hostPort}"`);
    }
    await new Promise<void>((resolve, reject) => {
      this.#http.once('error', reject);
      this.#http.listen(port, host, () => {
        this.#http.off('error', reject);
        resolve();
      });
    });
    const bound = this.#http.address();
    const boundPort = typeof bound === 'object' && bound !== null ? bound.port : port;
    if (this.#expiryMs > 0) {
      this.#purgeTimer = setInterval(() => this.purge(), this.#purgeIntervalMs);
      // The purge timer alone must not keep a process alive.
      this.#purgeTimer.unref();
    }
    this.#url = `http://${host.includes(':') ? `[${host}]` : host}:${boundPort}${this.#path}`;
    return this.#url;
  }

  /** The URL clients and heartbeats use, once listening. */
  get url(): string | undefined {
    return this.#url;
  }

  /** The patterns of addresses it accepts. */
  get allow(): readonly AddressPattern[] {
    return this.#allow.patterns;
  }

  /**
   * Registers or renews `address`, as a `POST` would. Throws ERR_INVALID_ADDRESS for an address
   * that does not parse, RegistrationRefusedError for one too long, not allowed, or new to a full
   * registry.
   */
  register(address: string): void {
    const bytes = Buffer.byteLength(address);
    if (bytes > MAX_ADDRESS_BYTES) {
      throw new RegistrationRefusedError(
        'ERR_REGISTRY_REFUSED',
        400,
        address.slice(0, 64),
        `address of ${bytes} bytes refused: the limit is ${MAX_ADDRESS_BYTES} bytes`,
      );
    }
    if (/[^\x21-\x7e]/.test(address)) {
      throw new RegistrationRefusedError(
        'ERR_REGISTRY_REFUSED',
        400,
        address,
        `address ${JSON.stringify(address)} refused: only printable ASCII without spaces is accepted`,
      );
    }
    parseAddress(address);
    if (!this.#allow.allows(address)) {
      throw new RegistrationRefusedError(
        'ERR_REGISTRY_REFUSED',
        403,
        address,
        `address "${address}" refused: it matches no pattern of the allow-list ${this.#allow.describe()}`,
      );
    }
    if (!this.#renewedAtMs.has(address) && this.#renewedAtMs.size >= this.#maxServers) {
      this.purge();
      if (this.#renewedAtMs.size >= this.#maxServers) {
        throw new RegistrationRefusedError(
          'ERR_REGISTRY_FULL',
          503,
          address,
          `address "${address}" refused: the registry is full (maxServers ${this.#maxServers}); ` +
            'registered servers can still renew',
        );
      }
    }
    this.#renewedAtMs.set(address, performance.now());
  }

  /** The live servers, sorted, as `GET` answers them. */
  servers(): string[] {
    const now = performance.now();
    const alive: string[] = [];
    for (const [address, renewedAtMs] of this.#renewedAtMs) {
      if (this.#isAlive(renewedAtMs, now)) alive.push(address);
    }
    return alive.sort();
  }

  /** Registrations held in memory, dead ones not yet purged included. */
  get size(): number {
    return this.#renewedAtMs.size;
  }

  /** Drops dead registrations; also runs on a timer. */
  purge(): void {
    const now = performance.now();
    for (const [address, renewedAtMs] of this.#renewedAtMs) {
      if (!this.#isAlive(renewedAtMs, now)) this.#renewedAtMs.delete(address);
    }
  }

  async close(): Promise<void> {
    clearInterval(this.#purgeTimer);
    if (!this.#http.listening) return;
    const closed = new Promise<void>((resolve) => this.#http.close(() => resolve()));
    this.#http.closeAllConnections();
    await closed;
  }

  /** JSON in the body when asked for; otherwise GeeRPC's header, cut to a size every client reads. */
  #answerServers(req: IncomingMessage, res: ServerResponse): void {
    const servers = this.servers();
    if ((req.headers.accept ?? '').includes(JSON_CONTENT_TYPE)) {
      res.statusCode = 200;
      res.setHeader('Content-Type', `${JSON_CONTENT_TYPE}; charset=utf-8`);
      res.setHeader('Connection', 'close');
      res.end(JSON.stringify({ servers }));
      return;
    }
    let bytes = 0;
    let listed = 0;
    for (const server of servers) {
      const more = Buffer.byteLength(server) + (listed > 0 ? 1 : 0);
      if (bytes + more > MAX_SERVERS_HEADER_BYTES) break;
      bytes += more;
      listed++;
    }
    res.setHeader(SERVERS_HEADER, servers.slice(0, listed).join(','));
    if (listed < servers.length) {
      res.setHeader(SERVERS_TRUNCATED_HEADER, `${listed}/${servers.length}`);
      reply(
        res,
        200,
        `${SERVERS_HEADER} lists ${listed} of ${servers.length} servers; ` +
          `GET with Accept: ${JSON_CONTENT_TYPE} for all of them\n`,
      );
      return;
    }
    reply(res, 200, '');
  }

  #isAlive(renewedAtMs: number, nowMs: number): boolean {
    return this.#expiryMs === 0 || renewedAtMs + this.#expiryMs > nowMs;
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    req.resume();
    const path = (req.url ?? '').split('?')[0];
    if (path !== this.#path) {
      reply(res, 404, `no registry at ${path}; it is at ${this.#path}\n`);
      return;
    }
    if (req.method === 'GET') {
      this.#answerServers(req, res);
      return;
    }
    if (req.method === 'POST') {
      const address = req.headers[SERVER_HEADER.toLowerCase()];
      if (typeof address !== 'string' || address.length === 0) {
        reply(res, 400, `missing header ${SERVER_HEADER}\n`);
        return;
      }
      try {
        this.register(address);
      } catch (error) {
        const status = error instanceof RegistrationRefusedError ? error.status : 400;
        if (isRpcError(error, 'ERR_REGISTRY_FULL')) res.setHeader('Retry-After', '60');
        reply(res, status, `${(error as Error).message}\n`);
        return;
      }
      reply(res, 200, '');
      return;
    }
    res.setHeader('Allow', 'GET, POST');
    reply(res, 405, 'method not allowed: use GET or POST\n');
  }
}

function reply(res: ServerResponse, status: number, body: string): void {
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.setHeader('Connection', 'close');
  res.end(body);
}
