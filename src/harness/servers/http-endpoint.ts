import {
  createServer,
  type Server as HttpServer,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { LOAD_METHOD } from './load-service.ts';

/** Handlers by `Service.Method`, answered at `POST /call/Service.Method`. */
export type HttpMethods = ReadonlyMap<string, (args: unknown) => unknown>;

const CALL_PREFIX = '/call/';
/** Bodies past this are refused: the baseline sends small payloads. */
const MAX_BODY_BYTES = 16 * 1024 * 1024;

/**
 * The same methods as a simulated server, over plain HTTP/1.1 with JSON bodies: what autocannon,
 * which speaks only HTTP, drives for the baseline. `POST /call/Load.Work` with the arguments as
 * the body answers 200 and the reply as JSON, or 500 and `{"error": message}`.
 */
export class HttpEndpoint {
  readonly #server: HttpServer;
  readonly #methods: HttpMethods;

  constructor(methods: HttpMethods) {
    this.#methods = methods;
    this.#server = createServer((request, response) => {
      this.#serve(request, response);
    });
    this.#server.keepAliveTimeout = 60_000;
  }

  /** Listens on loopback and resolves to the base URL, e.g. `http://127.0.0.1:40123`. */
  async listen(): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(0, '127.0.0.1', () => {
        this.#server.off('error', reject);
        resolve();
      });
    });
    const { port } = this.#server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #serve(request: IncomingMessage, response: ServerResponse): void {
    const url = request.url ?? '';
    const handler = url.startsWith(CALL_PREFIX)
      ? this.#methods.get(url.slice(CALL_PREFIX.length))
      : undefined;
    if (request.method !== 'POST' || handler === undefined) {
      request.resume();
      reply(response, 404, { error: `unknown call; POST ${CALL_PREFIX}${LOAD_METHOD}` });
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    request.on('end', () => {
      if (size > MAX_BODY_BYTES) {
        reply(response, 413, { error: `body larger than ${MAX_BODY_BYTES} bytes` });
        return;
      }
      let args: unknown = null;
      try {
        if (size > 0) args = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        reply(response, 400, { error: 'body is not JSON' });
        return;
      }
      Promise.resolve()
        .then(() => handler(args))
        .then(
          (result) => reply(response, 200, result ?? null),
          (error: unknown) =>
            reply(response, 500, { error: error instanceof Error ? error.message : String(error) }),
        );
    });
  }
}

function reply(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}
