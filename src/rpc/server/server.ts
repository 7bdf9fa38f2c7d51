import { rm } from 'node:fs/promises';
import { createServer, type Server as NetServer, type Socket } from 'node:net';
import { InvalidArgumentError } from '../../util/errors.ts';
import { escapeTerminal } from '../../util/escape-terminal.ts';
import { MAX_TIMER_MS } from '../../util/units.ts';
import { formatAddress, parseAddress } from '../address.ts';
import {
  CODEC_NAMES,
  CODEC_SHORT_NAME_LIST,
  type CodecChoice,
  type CodecName,
  codecNamed,
  DEFAULT_MAX_FRAME_BYTES,
  isCodecName,
} from '../codec/codec.ts';
import { checkGobBudget } from '../codec/gob-codec.ts';
import type { GobBudget } from '../gob/budget.ts';
import { renderDebugPage, type ServiceStats } from './debug-page.ts';
import { LogLimiter } from './log-limiter.ts';
import { type ConnectionHost, ServerConnection } from './server-connection.ts';
import { type Method, Service, serviceNameOf } from './service.ts';

/** GeeRPC's CONNECT path, and the misspelt one its Go server actually registers. */
export const DEFAULT_RPC_PATHS: readonly string[] = ['/_geerpc_', '/_geeprc_'];
export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 10_000;
/** As Envoy's and gRPC's usual cap of 100 concurrent streams per HTTP/2 connection. */
export const DEFAULT_MAX_IN_FLIGHT_PER_CONNECTION = 100;
export const DEFAULT_MAX_CONNECTIONS = 10_000;
export const DEFAULT_IDLE_TIMEOUT_MS = 5 * 60_000;
export const DEFAULT_FRAME_TIMEOUT_MS = 30_000;
export const DEFAULT_LOG_LINES_PER_SECOND = 10;

export interface ServerOptions {
  /** The largest header or body frame accepted; a larger one closes its connection. @default 16 MiB */
  maxFrameBytes?: number;
  /**
   * What one gob message and one gob stream may make a connection hold (elementsPerByte,
   * elementAllowance, maxTypes, maxTypeFields, maxTypeDefinitionBytes; see GobDecoderOptions):
   * a connection over it is closed with ERR_GOB_BUDGET_EXCEEDED. @default the decoder's defaults
   */
  gobBudget?: GobBudget;
  /** A connection that has not completed its handshake by then is closed. @default 10000 */
  handshakeTimeoutMs?: number;
  /**
   * The longest a call may run before it is answered with a timeout error and its handler's
   * `ctx.signal` fires. The client's handshake may ask for less: the smaller non-zero limit
   * applies. 0: only the client's limit. @default 0
   */
  handleTimeoutMs?: number;
  /** The codecs a handshake may ask for; any other is refused with `rpc server: invalid codec type X`. @default ['application/json', 'application/msgpack'] */
  codecs?: readonly CodecChoice[];
  /** Paths accepted by `CONNECT` on an `http@` listener. @default ['/_geerpc_', '/_geeprc_'] */
  rpcPaths?: readonly string[];
  /**
   * Calls handled at once on one connection. At the limit the server stops reading that
   * connection (no error) until a call finishes. @default 100
   */
  maxInFlightPerConnection?: number;
  /** Connections open at once, over all listeners; any further one is closed at once. @default 10000 */
  maxConnections?: number;
  /**
   * After the handshake, a connection with no call in flight and no bytes received for this
   * long is closed (within twice this). 0: never. @default 300000 (5 min)
   */
  idleTimeoutMs?: number;
  /**
   * A frame, or a header's body, begun but not complete after this long closes its connection
   * (within twice this); time the server itself is not reading does not count. 0: never. @default 30000
   */
  frameTimeoutMs?: number;
  /** Where connection-level problems are reported. @default console.error */
  log?: (message: string) => void;
  /** Lines passed to `log` per second at most; those past it are summed up in one line. @default 10 */
  logLinesPerSecond?: number;
}

/** A snapshot of the server's load, for tests and diagnostics. */
export interface ServerStats {
  /** Connections open now. */
  connections: number;
  /** Calls being handled now and not yet answered, over all connections. */
  inFlight: number;
  /**
   * Calls answered by the handle timeout whose handlers have not settled yet. They still hold
   * their slots under maxInFlightPerConnection, beside `inFlight`.
   */
  overdue: number;
  /** Calls decoded and waiting for a slot under maxInFlightPerConnection. */
  held: number;
  /** Connections refused because maxConnections were open. */
  refusedConnections: number;
  perConnection: ConnectionStats[];
}

export interface ConnectionStats {
  remote: string;
  inFlight: number;
  overdue: number;
  held: number;
  /** Reply bytes queued in the socket and not yet sent. */
  bufferedBytes: number;
  /** False while the server does not read it (at its in-flight limit, or its peer lagging). */
  reading: boolean;
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
  readonly #maxConnections: number;
  #refusedConnections = 0;
  readonly #logLimiter: LogLimiter;

  constructor(options: ServerOptions = {}) {
    const maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
    const handshakeTimeoutMs = options.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS;
    const handleTimeoutMs = options.handleTimeoutMs ?? 0;
    const given: readonly unknown[] = options.codecs ?? CODEC_NAMES;
    // Short names (`gob`) stand for the full ones; anything else is kept to be refused below.
    const codecs = Array.isArray(given) ? given.map((name) => codecNamed(String(name)) ?? name) : [];
    const maxInFlightPerConnection = options.maxInFlightPerConnection ?? DEFAULT_MAX_IN_FLIGHT_PER_CONNECTION;
    const maxConnections = options.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
    const idleTimeoutMs = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
    const frameTimeoutMs = options.frameTimeoutMs ?? DEFAULT_FRAME_TIMEOUT_MS;
    const logLinesPerSecond = options.logLinesPerSecond ?? DEFAULT_LOG_LINES_PER_SECOND;
    requirePositiveInteger(maxFrameBytes, 'options.maxFrameBytes');
    const gobBudget = { ...options.gobBudget };
    checkGobBudget(gobBudget, 'options.gobBudget');
    requirePositiveInteger(maxInFlightPerConnection, 'options.maxInFlightPerConnection');
    requirePositiveInteger(maxConnections, 'options.maxConnections');
    requirePositiveInteger(logLinesPerSecond, 'options.logLinesPerSecond');
    requireTimerMs(idleTimeoutMs, 'options.idleTimeoutMs');
    requireTimerMs(frameTimeoutMs, 'options.frameTimeoutMs');
    requirePositiveInteger(handshakeTimeoutMs, 'options.handshakeTimeoutMs');
    if (handshakeTimeoutMs > MAX_TIMER_MS) {
      throw new InvalidArgumentError(`options.handshakeTimeoutMs must be at most ${MAX_TIMER_MS}`);
    }
    if (!Number.isSafeInteger(handleTimeoutMs) || handleTimeoutMs < 0 || handleTimeoutMs > MAX_TIMER_MS) {
      throw new InvalidArgumentError(
        `options.handleTimeoutMs must be an integer from 0 to ${MAX_TIMER_MS}, got ${handleTimeoutMs}`,
      );
    }
    if (codecs.length === 0 || !codecs.every((name): name is CodecName => isCodecName(String(name)))) {
      throw new InvalidArgumentError(
        `options.codecs must be a non-empty list of ${CODEC_NAMES.join(', ')} (or ${CODEC_SHORT_NAME_LIST.join(', ')}), got ${JSON.stringify(options.codecs)}`,
      );
    }
    this.#logLimiter = new LogLimiter(
      options.log ?? ((message: string) => console.error(escapeTerminal(message))),
      logLinesPerSecond,
    );
    const log = this.#logLimiter.line;
    this.#maxConnections = maxConnections;
    const server = this;
    this.#host = {
      maxFrameBytes,
      gobBudget,
      handshakeTimeoutMs,
      handleTimeoutMs,
      maxInFlightPerConnection,
      idleTimeoutMs,
      frameTimeoutMs,
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
    // Half-open: a peer that sends its calls and then its FIN still gets every reply.
    const server = createServer({ allowHalfOpen: true }, (socket) => this.#accept(socket, transport));
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

  /** Connections, calls in flight and held, and each connection's queue, as they are now. */
  stats(): ServerStats {
    const perConnection: ConnectionStats[] = [];
    let inFlight = 0;
    let held = 0;
    let overdue = 0;
    for (const connection of this.#connections) {
      inFlight += connection.inFlight;
      overdue += connection.overdue;
      held += connection.held;
      perConnection.push({
        remote: connection.remote,
        inFlight: connection.inFlight,
        overdue: connection.overdue,
        held: connection.held,
        bufferedBytes: connection.bufferedBytes,
        reading: connection.reading,
      });
    }
    return {
      connections: this.#connections.size,
      inFlight,
      overdue,
      held,
      refusedConnections: this.#refusedConnections,
      perConnection,
    };
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
    this.#logLimiter.flush();
  }

  /** Drops every connection at once, aborting handlers: what a crash looks like to clients. */
  async destroy(): Promise<void> {
    this.#closing = true;
    for (const connection of this.#connections) connection.destroy();
    await this.#closeListeners();
    this.#logLimiter.flush();
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
    if (this.#connections.size >= this.#maxConnections) {
      this.#refusedConnections++;
      const from = socket.remoteAddress ? `${socket.remoteAddress}:${socket.remotePort}` : 'local socket';
      socket.on('error', () => {});
      socket.destroy();
      this.#host.log(
        `rpc server: refusing connection from ${from}: ERR_TOO_MANY_CONNECTIONS: ${this.#maxConnections} connections open (maxConnections)`,
      );
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

function requireTimerMs(value: number, name: string): void {
  if (!Number.isSafeInteger(value) || value < 0 || value > MAX_TIMER_MS) {
    throw new InvalidArgumentError(`${name} must be an integer from 0 to ${MAX_TIMER_MS}, got ${value}`);
  }
}

function requirePositiveInteger(value: number, name: string): void {
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new InvalidArgumentError(`${name} must be a positive integer, got ${value}`);
  }
}
