import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { parseAddress } from '../rpc/address.ts';
import { InvalidArgumentError } from '../util/errors.ts';
import {
  DEFAULT_REGISTRY_EXPIRY_MS,
  DEFAULT_REGISTRY_PATH,
  SERVER_HEADER,
  SERVERS_HEADER,
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
}

/**
 * GeeRPC's HTTP registry: `POST` with `X-Geerpc-Server: <address>` registers or renews a server,
 * `GET` answers `X-Geerpc-Servers: a,b,c` with the servers renewed within the expiry.
 */
export class RegistryServer {
  readonly #expiryMs: number;
  readonly #purgeIntervalMs: number;
  readonly #path: string;
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

  /** Registers or renews `address`, as a `POST` would. */
  register(address: string): void {
    parseAddress(address);
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
      res.setHeader(SERVERS_HEADER, this.servers().join(','));
      reply(res, 200, '');
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
        reply(res, 400, `${(error as Error).message}\n`);
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
