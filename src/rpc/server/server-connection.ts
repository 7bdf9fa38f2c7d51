import type { Socket } from 'node:net';
import { RpcError } from '../../util/errors.ts';
import { getCodec } from '../codec/codecs.ts';
import { ProtocolError } from '../errors.ts';
import { type CallHost, ConnectionCalls } from './connection-calls.ts';
import { ConnectionOpening, type OpeningHost } from './connection-opening.ts';
import { ConnectionTimers, type TimerLimits } from './connection-timers.ts';

/** What a connection needs from its server. */
export interface ConnectionHost extends OpeningHost, CallHost, TimerLimits {
  log(message: string): void;
  onConnectionIdle(connection: ServerConnection): void;
}

/** How long a refused handshake's reason line may take to leave before the socket is destroyed. */
const REFUSAL_LINGER_MS = 1_000;

/**
 * One accepted socket: its opening (an optional HTTP CONNECT, the option handshake), then its
 * calls, watched by its timers. Anything malformed closes this connection with a logged reason
 * and touches no other.
 */
export class ServerConnection {
  readonly #socket: Socket;
  readonly #host: ConnectionHost;
  readonly #remote: string;
  readonly #timers: ConnectionTimers;
  /** Until the handshake is read, or an HTTP request other than CONNECT answered. */
  #opening: ConnectionOpening | undefined;
  /** From the handshake on. */
  #calls: ConnectionCalls | undefined;
  /** The peer half-closed: the calls it sent are answered, then the connection ends. */
  #peerEnded = false;
  #closed = false;

  constructor(socket: Socket, host: ConnectionHost, transport: 'http' | 'stream') {
    this.#socket = socket;
    this.#host = host;
    this.#remote = socket.remoteAddress ? `${socket.remoteAddress}:${socket.remotePort}` : 'local socket';
    this.#opening = new ConnectionOpening(socket, host, transport);
    socket.setNoDelay(true);
    this.#timers = new ConnectionTimers(host, this, socket);
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('error', () => {});
    socket.on('end', () => this.#onEnd());
    socket.on('close', () => this.#onClose());
    socket.on('drain', () => this.#calls?.onSlotFreed());
  }

  /** Calls awaiting their reply. */
  get inFlight(): number {
    return this.#calls === undefined ? 0 : this.#calls.running - this.#calls.overdue;
  }

  /** Calls answered by the handle timeout whose handlers have not settled: they still hold their slots. */
  get overdue(): number {
    return this.#calls?.overdue ?? 0;
  }

  /** Calls decoded but waiting for a slot under maxInFlightPerConnection. */
  get held(): number {
    return this.#calls?.held ?? 0;
  }

  get remote(): string {
    return this.#remote;
  }

  /** Bytes written to the socket and not yet sent: what a peer that does not read leaves queued. */
  get bufferedBytes(): number {
    return this.#socket.writableLength;
  }

  get reading(): boolean {
    return !(this.#calls?.paused ?? false);
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Closes this connection after logging why; other connections are untouched. */
  fail(error: Error): void {
    if (this.#closed) return;
    const code = error instanceof RpcError ? `${error.code}: ` : '';
    this.#host.log(`rpc server: closing connection from ${this.#remote}: ${code}${error.message}`);
    this.#calls?.flush();
    if (this.#opening?.readingHandshake && error instanceof ProtocolError) {
      // One line that tells an rpcbench client why (a Go client only sees the close), then the close.
      this.#socket.end(`${error.message}\n`);
      setTimeout(() => this.#socket.destroy(), REFUSAL_LINGER_MS).unref();
      return;
    }
    this.#socket.destroy();
  }

  /** Ends the connection once nothing is in flight (server close). */
  endWhenIdle(): void {
    if ((this.#calls?.running ?? 0) === 0 && !this.#closed && !this.#timers.ending) {
      this.#calls?.flush();
      this.#socket.end();
      this.#timers.destroyAfterGrace();
    }
  }

  destroy(): void {
    this.#socket.destroy();
  }

  #onData(chunk: Buffer): void {
    try {
      if (this.#calls !== undefined) {
        this.#timers.active = true;
        this.#calls.push(chunk);
        this.#timers.watchFrame();
      } else if (this.#opening !== undefined) {
        this.#open(chunk, this.#opening);
      }
    } catch (error) {
      this.fail(error instanceof Error ? error : new Error(String(error)));
    }
  }

  #open(chunk: Buffer, opening: ConnectionOpening): void {
    const step = opening.push(chunk);
    if (step.kind === 'waiting') return;
    this.#timers.opened();
    this.#opening = undefined;
    if (step.kind === 'answered') {
      this.#timers.destroyAfterGrace();
      return;
    }
    const calls = new ConnectionCalls({
      socket: this.#socket,
      host: this.#host,
      codec: getCodec(step.handshake.codec),
      clientHandleTimeoutMs: step.handshake.handleTimeoutMs,
      newlineMayFollow: step.newlineMayFollow,
      onAllSettled: () => this.#onAllSettled(),
    });
    this.#calls = calls;
    this.#timers.watchCalls(calls);
    if (step.rest.length > 0) calls.push(step.rest);
    this.#timers.watchFrame();
  }

  #onAllSettled(): void {
    this.#timers.active = true;
    this.#host.onConnectionIdle(this);
    this.#endIfPeerDone();
  }

  /**
   * With allowHalfOpen, a peer's FIN only means it sends no more: the calls it sent are still
   * answered (as GeeRPC's Go server waits for them), then this side ends too.
   */
  #onEnd(): void {
    this.#peerEnded = true;
    if (this.#calls === undefined) {
      this.#socket.end();
      return;
    }
    this.#endIfPeerDone();
  }

  #endIfPeerDone(): void {
    const calls = this.#calls!;
    if (!this.#peerEnded || this.#closed || calls.running > 0 || calls.held > 0) return;
    calls.flush();
    this.#socket.end();
  }

  #onClose(): void {
    this.#closed = true;
    this.#timers.clear();
    this.#calls?.close();
    this.#host.onConnectionIdle(this);
  }
}
