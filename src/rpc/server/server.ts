import { rm } from 'node:fs/promises';
import { createServer, type Server as NetServer, type Socket } from 'node:net';
import { InvalidArgumentError } from '../../util/errors.ts';
import { MAX_TIMER_MS } from '../../util/units.ts';
import { formatAddress, parseAddress } from '../address.ts';
import { CODEC_NAMES, type CodecName, DEFAULT_MAX_FRAME_BYTES, isCodecName } from '../codec/codec.ts';
import { renderDebugPage, type ServiceStats } from './debug-page.ts';
import { type ConnectionHost, ServerConnection } from './server-connection.ts';
import { type Method, Service, serviceNameOf } from './service.ts';

/** GeeRPC's CONNECT path, and the misspelt one its Go server actually registers. */
export const DEFAULT_RPC_PATHS: readonly string[] = ['/_geerpc_', '/_geeprc_'];
export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 10_000;

export interface ServerOptions {
  /** The largest header or body frame accepted; a larger one closes its connection. @default 16 MiB */
  maxFrameBytes?: number;
  /** A connection that has not completed its handshake by then is closed. @default 10000 */
  handshakeTimeoutMs?: number;
  /**
   * The longest a call may run before it is answered with a timeout error and its handler's
   * `ctx.signal` fires. The client's handshake may ask for less: the smaller non-zero limit
   * applies. 0: only the client's limit. @default 0
   */
  handleTimeoutMs?: number;
  /** The codecs a handshake may ask for; any other is refused with `rpc server: invalid codec type X`. @default ['application/json', 'application/msgpack'] */
  codecs?: readonly CodecName[];
  /** Paths accepted by `CONNECT` on an `http@` listener. @default ['/_geerpc_', '/_geeprc_'] */
  rpcPaths?: readonly string[];
  /** Where connection-level problems are reported. @default console.error */
  log?: (message: string) => void;
}

export interface RegisterOptions {
  /** The service name in `Service.Method`. @default the instance's class name */
  name?: string;
}

/**
 * Exposes registered objects as `Service.Method` on any number of tcp, unix and http listeners.
 */
export class Server {
  readonly #services = new Map<string, Service>();
  /** Every method of every service by `Service.Method`: one lookup per call. */
  readonly #methods = new Map<string, Method>();
  readonly #listeners: { server: NetServer; unixPath?: string }[] = [];
  readonly #connections = new Set<ServerConnection>();
  readonly #host: ConnectionHost;
  #closing = false;
  #closed: Promise<void> | undefined;
  #drained: (() => void) | undefined;

  constructor(options: ServerOptions = {}) {
    const maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
    const handshakeTimeoutMs = options.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS;
    const handleTimeoutMs = options.handleTimeoutMs ?? 0;
    const codecs = options.codecs ?? CODEC_NAMES;
    requirePositiveInteger(maxFrameBytes, 'options.maxFrameBytes');
    requirePositiveInteger(handshakeTimeoutMs, 'options.handshakeTimeoutMs');
    if (handshakeTimeoutMs > MAX_TIMER_MS) {
      throw new InvalidArgumentError(`options.handshakeTimeoutMs must be at most ${MAX_TIMER_MS}`);
    }
    if (!Number.isSafeInteger(handleTimeoutMs) || handleTimeoutMs < 0 || handleTimeoutMs > MAX_TIMER_MS) {
      throw new InvalidArgumentError(
        `options.handleTimeoutMs must be an integer from 0 to ${MAX_TIMER_MS}, got ${handleTimeoutMs}`,
      );
    }
    if (!Array.isArray(codecs) || codecs.length === 0 || !codecs.every((name) => isCodecName(name))) {
      throw new InvalidArgumentError(
        `options.codecs must be a non-empty list of ${CODEC_NAMES.join(', ')}, got ${JSON.stringify(codecs)}`,
      );
    }
    const log = options.log ?? ((message: string) => console.error(message));
    const server = this;
    this.#host = {
      maxFrameBytes,
      handshakeTimeoutMs,
      handleTimeoutMs,
      codecs: [...codecs],
      rpcPaths: options.rpcPaths ?? DEFAULT_RPC_PATHS,
      findMethod: (serviceMethod) => this.#methods.get(serviceMethod),
      findService: (name) => this.#services.get(name),
      debugPage: () => renderDebugPage(this.services()),
      log,
      get closing() {
        return server.#closing;
      },
      onConnectionIdle: (connection) => this.#onConnectionIdle(connection),
    };
  }

  /** Exposes every method of `instance` as `Name.method`. */
  register(instance: object, options: RegisterOptions = {}): this {
    const name = serviceNameOf(instance, options.name);
    if (this.#services.has(name)) {
      throw new InvalidArgumentError(`rpc server: service already defined: ${name}`);
    }
    const service = new Service(name, instance);
    this.#services.set(name, service);
    for (const [serviceMethod, method] of service.byServiceMethod()) this.#methods.set(serviceMethod, method);
    return this;
  }

  /** Starts listening and resolves to the bound address, with the real port when 0 was asked for. */
  async listen(address = 'tcp@127.0.0.1:0'): Promise<string> {
    if (this.#closing) throw new InvalidArgumentError('rpc server: listen() after close()');
    const endpoint = parseAddress(address);
    const transport = endpoint.transport === 'http' ? 'http' : 'stream';
    const server = createServer((socket) => this.#accept(socket, transport));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      if (endpoint.transport === 'unix') server.listen(endpoint.path, resolve);
      else server.listen(endpoint.port, endpoint.host, resolve);
    });
    server.on('error', (error) => this.#host.log(`rpc server: listener error: ${error.message}`));
    if (endpoint.transport === 'unix') {
      this.#listeners.push({ server, unixPath: endpoint.path });
      return address;
    }
    this.#listeners.push({ server });
    const bound = server.address();
    const port = typeof bound === 'object' && bound !== null ? bound.port : endpoint.port;
    return formatAddress({ transport: endpoint.transport, host: endpoint.host, port });
  }

  /** Serves one already-connected socket, as GeeRPC's ServeConn. */
  serveSocket(socket: Socket, transport: 'http' | 'stream' = 'stream'): void {
    this.#accept(socket, transport);
  }

  services(): ServiceStats[] {
    return [...this.#services.values()].map((service) => ({
      name: service.name,
      methods: service.methods(),
    }));
  }

  /** The number of calls being handled now, over all connections. */
  get inFlight(): number {
    let total = 0;
    for (const connection of this.#connections) total += connection.inFlight;
    return total;
  }

  /**
   * Stops accepting connections, answers new calls with a shutdown error, waits for the calls
   * in flight to be answered, then closes every connection.
   */
  close(): Promise<void> {
    this.#closing = true;
    this.#closed ??= this.#drainAndClose();
    return this.#closed;
  }

  async #drainAndClose(): Promise<void> {
    // A listener's close callback waits for its connections, so it is awaited last, not first.
    const listenersClosed = this.#closeListeners();
    if (this.#connections.size > 0) {
      const drained = new Promise<void>((resolve) => {
        this.#drained = resolve;
      });
      for (const connection of this.#connections) connection.endWhenIdle();
      await drained;
    }
    await listenersClosed;
  }

  /** Drops every connection at once, aborting handlers: what a crash looks like to clients. */
  async destroy(): Promise<void> {
    this.#closing = true;
    for (const connection of this.#connections) connection.destroy();
    await this.#closeListeners();
  }

  async #closeListeners(): Promise<void> {
    const listeners = this.#listeners.splice(0);
    await Promise.all(
      listeners.map(
        ({ server, unixPath }) =>
          new Promise<void>((resolve) => {
            server.close(() => resolve());
            if (unixPath) rm(unixPath, { force: true }).catch(() => {});
          }),
      ),
    );
  }

  #accept(socket: Socket, transport: 'http' | 'stream'): void {
    if (this.#closing) {
      socket.destroy();
      return;
    }
    this.#connections.add(new ServerConnection(socket, this.#host, transport));
  }

  #onConnectionIdle(connection: ServerConnection): void {
    if (connection.closed) this.#connections.delete(connection);
    else if (this.#closing) connection.endWhenIdle();
    if (this.#closing && this.#connections.size === 0) {
      this.#drained?.();
      this.#drained = undefined;
    }
  }
}

function requirePositiveInteger(value: number, name: string): void {
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new InvalidArgumentError(`${name} must be a positive integer, got ${value}`);
  }
}
