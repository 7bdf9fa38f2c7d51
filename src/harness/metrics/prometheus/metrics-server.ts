import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InvalidArgumentError } from '../../../util/errors.ts';
import { MAX_TIMER_MS } from '../../../util/units.ts';
import { MetricsListenError } from '../../errors.ts';
import { EXPOSITION_CONTENT_TYPE } from './exposition.ts';

/** What a scrape reads. */
export interface MetricsSource {
  render(): string;
}

/** Limits on what a scraper (or anything else that connects) can make the endpoint hold. */
export interface MetricsServerLimits {
  /** Connections open at once; more are refused. @default 8 */
  maxConnections?: number;
  /** The request head must arrive within this. @default 5000 */
  headersTimeoutMs?: number;
  /** The whole request must arrive within this. @default 10000 */
  requestTimeoutMs?: number;
  /** An idle kept-alive connection is closed after this. @default 5000 */
  keepAliveTimeoutMs?: number;
  /** The request line and headers together. @default 8192 */
  maxHeaderBytes?: number;
}

export const METRICS_SERVER_DEFAULTS = Object.freeze({
  maxConnections: 8,
  headersTimeoutMs: 5_000,
  requestTimeoutMs: 10_000,
  keepAliveTimeoutMs: 5_000,
  maxHeaderBytes: 8_192,
});

export const METRICS_PATH = '/metrics';

/**
 * The limits with defaults applied; InvalidArgumentError naming the limit unless each is a positive
 * integer (a timeout one a timer can wait) and the head's timeout is at most the request's.
 */
export function resolveMetricsServerLimits(limits: MetricsServerLimits): Required<MetricsServerLimits> {
  const resolved = { ...METRICS_SERVER_DEFAULTS, ...limits };
  for (const [key, value] of Object.entries(resolved)) {
    const max = key.endsWith('TimeoutMs') ? MAX_TIMER_MS : Number.MAX_SAFE_INTEGER;
    if (!Number.isSafeInteger(value) || value < 1 || value > max) {
      throw new InvalidArgumentError(`limits.${key} must be an integer from 1 to ${max}, got ${value}`);
    }
  }
  if (resolved.headersTimeoutMs > resolved.requestTimeoutMs) {
    throw new InvalidArgumentError(
      `limits.headersTimeoutMs (${resolved.headersTimeoutMs}) must be at most limits.requestTimeoutMs (${resolved.requestTimeoutMs}): the head is part of the request`,
    );
  }
  return resolved;
}

/**
 * The `/metrics` endpoint of a run, for Prometheus to scrape. It answers GET and HEAD of /metrics
 * only, takes no request body, and bounds connections, header size and time (see
 * MetricsServerLimits): it is a server on the network while the load runs.
 */
export class MetricsServer {
  readonly #server: Server;
  readonly #source: MetricsSource;
  #scrapes = 0;
  readonly #waiters = new Set<() => void>();

  private constructor(server: Server, source: MetricsSource) {
    this.#server = server;
    this.#source = source;
  }

  /**
   * Listens on `host:port` (port 0 picks a free one); rejects with MetricsListenError, or with
   * InvalidArgumentError for limits out of range (see resolveMetricsServerLimits).
   */
  static async start(
    source: MetricsSource,
    listen: { host: string; port: number },
    limits: MetricsServerLimits = {},
  ): Promise<MetricsServer> {
    const resolved = resolveMetricsServerLimits(limits);
    const server = createServer({
      maxHeaderSize: resolved.maxHeaderBytes,
      // Node enforces the two request timeouts on this period (30 s by default): check often enough.
      connectionsCheckingInterval: Math.max(
        100,
        Math.min(resolved.headersTimeoutMs, resolved.requestTimeoutMs) / 2,
      ),
    });
    server.maxConnections = resolved.maxConnections;
    server.headersTimeout = resolved.headersTimeoutMs;
    server.requestTimeout = resolved.requestTimeoutMs;
    server.keepAliveTimeout = resolved.keepAliveTimeoutMs;
    const metrics = new MetricsServer(server, source);
    server.on('request', (request, response) => metrics.#answer(request, response));
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error) =>
        reject(new MetricsListenError(`${listen.host}:${listen.port}`, error.message, { cause: error })),
      );
      server.listen(listen.port, listen.host, () => resolve());
    });
    return metrics;
  }

  /** `http://host:port/metrics`, with the port actually bound. */
  get url(): string {
    const { address, port, family } = this.#server.address() as AddressInfo;
    const host = family === 'IPv6' ? `[${address}]` : address;
    return `http://${host}:${port}${METRICS_PATH}`;
  }

  /** Scrapes answered so far. */
  get scrapes(): number {
    return this.#scrapes;
  }

  /**
   * Resolves true once a scrape is answered after this call (so with the figures as they are
   * now), or false after `boundMs`: how a run keeps its final figures up until they are collected.
   */
  waitForScrape(boundMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      const done = (scraped: boolean) => {
        clearTimeout(timer);
        this.#waiters.delete(onScrape);
        resolve(scraped);
      };
      const onScrape = () => done(true);
      const timer = setTimeout(() => done(false), boundMs);
      this.#waiters.add(onScrape);
    });
  }

  /** Stops listening and closes every connection, idle or not. */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeAllConnections();
    await closed;
  }

  #answer(request: IncomingMessage, response: ServerResponse): void {
    const refusal = refusalOf(request);
    if (refusal !== undefined) {
      // The connection is closed after a refusal: whatever sent it gets nothing more from this server.
      response.writeHead(refusal.status, {
        'Content-Type': 'text/plain; charset=utf-8',
        Connection: 'close',
        ...(refusal.status === 405 ? { Allow: 'GET, HEAD' } : {}),
      });
      response.end(refusal.text);
      return;
    }
    const body = this.#source.render();
    response.writeHead(200, {
      'Content-Type': EXPOSITION_CONTENT_TYPE,
      'Content-Length': Buffer.byteLength(body),
      'Cache-Control': 'no-store',
    });
    response.end(request.method === 'HEAD' ? undefined : body);
    this.#scrapes++;
    for (const waiter of [...this.#waiters]) waiter();
  }
}

/** Why a request gets no metrics, or undefined when it should get them. */
function refusalOf(request: IncomingMessage): { status: number; text: string } | undefined {
  const path = (request.url ?? '').split('?')[0];
  const hasBody =
    request.headers['transfer-encoding'] !== undefined || Number(request.headers['content-length'] ?? 0) > 0;
  if (hasBody) return { status: 413, text: 'a request body is not accepted\n' };
  if (path !== METRICS_PATH) return { status: 404, text: `not found: the metrics are at ${METRICS_PATH}\n` };
  if (request.method !== 'GET' && request.method !== 'HEAD')
    return { status: 405, text: 'only GET and HEAD\n' };
  return undefined;
}
