import type { Socket } from 'node:net';
import { RpcError } from '../../util/errors.ts';
import { ProtocolError } from '../errors.ts';
import type { ConnectionCalls } from './connection-calls.ts';

/** The time limits of a connection, from its server. */
export interface TimerLimits {
  readonly handshakeTimeoutMs: number;
  /** After the handshake, a connection with nothing in flight and no bytes for this long is closed; 0: never. */
  readonly idleTimeoutMs: number;
  /** A frame (or a header's body) still incomplete after this long closes its connection; 0: never. */
  readonly frameTimeoutMs: number;
}

/** What the timers act on: the connection they close. */
export interface TimedConnection {
  readonly closed: boolean;
  fail(error: Error): void;
}

/** How long a peer may keep its side open after the server ended the connection. */
const END_GRACE_MS = 2000;

/**
 * The four timers of one connection: the handshake's deadline, the grace after the server ends
 * it, and, once calls flow, the frame and idle timeouts. Each is made once and re-armed.
 */
export class ConnectionTimers {
  readonly #limits: TimerLimits;
  readonly #connection: TimedConnection;
  readonly #socket: Socket;
  #calls: ConnectionCalls | undefined;
  #handshake: NodeJS.Timeout | undefined;
  #end: NodeJS.Timeout | undefined;
  #frame: NodeJS.Timeout | undefined;
  #frameArmed = false;
  #valuesAtFrameArm = 0;
  #idle: NodeJS.Timeout | undefined;
  /** Bytes arrived or the last call finished since the idle timer was last armed. */
  active = false;

  constructor(limits: TimerLimits, connection: TimedConnection, socket: Socket) {
    this.#limits = limits;
    this.#connection = connection;
    this.#socket = socket;
    this.#handshake = setTimeout(() => {
      connection.fail(
        new ProtocolError(
          'ERR_HANDSHAKE_TIMEOUT',
          `rpc server: no handshake within ${limits.handshakeTimeoutMs} ms (handshakeTimeoutMs)`,
        ),
      );
    }, limits.handshakeTimeoutMs);
  }

  /** The server has ended the connection and waits for the peer's side to close. */
  get ending(): boolean {
    return this.#end !== undefined;
  }

  /** The opening is over (answered or handshaken): its deadline no longer holds. */
  opened(): void {
    clearTimeout(this.#handshake);
  }

  /** Calls flow from now on: the idle timeout starts. */
  watchCalls(calls: ConnectionCalls): void {
    this.#calls = calls;
    if (this.#limits.idleTimeoutMs > 0) {
      this.#idle = setTimeout(() => this.#onIdleTimer(), this.#limits.idleTimeoutMs).unref();
    }
  }

  /** After bytes arrived: a message they left incomplete must complete within frameTimeoutMs. */
  watchFrame(): void {
    if (!this.#frameArmed && this.#limits.frameTimeoutMs > 0 && this.#calls!.midMessage())
      this.#armFrameTimer();
  }

  /** The server ended its side: a peer that keeps its own open must not hold the connection forever. */
  destroyAfterGrace(): void {
    this.#end = setTimeout(() => this.#socket.destroy(), END_GRACE_MS);
  }

  clear(): void {
    clearTimeout(this.#handshake);
    clearTimeout(this.#end);
    clearTimeout(this.#frame);
    clearTimeout(this.#idle);
  }

  /**
   * One timer per connection, re-armed rather than re-created. It fires frameTimeoutMs after a
   * chunk left a message incomplete; if no value has been decoded since, that message has taken
   * at least that long, so the connection is closed. A frame that began later gets another period.
   */
  #armFrameTimer(): void {
    this.#frameArmed = true;
    this.#valuesAtFrameArm = this.#calls!.valuesDecoded;
    if (this.#frame === undefined) {
      this.#frame = setTimeout(() => this.#onFrameTimer(), this.#limits.frameTimeoutMs).unref();
    } else {
      this.#frame.refresh();
    }
  }

  #onFrameTimer(): void {
    this.#frameArmed = false;
    const calls = this.#calls!;
    if (this.#connection.closed || !calls.midMessage()) return;
    // While the server is not reading, the peer cannot make progress: that is not its fault.
    if (calls.valuesDecoded !== this.#valuesAtFrameArm || calls.paused) {
      this.#armFrameTimer();
      return;
    }
    this.#connection.fail(
      new RpcError(
        'ERR_FRAME_TIMEOUT',
        `rpc server: a frame took longer than ${this.#limits.frameTimeoutMs} ms to arrive (frameTimeoutMs)`,
      ),
    );
  }

  /**
   * One timer per connection, re-armed every idleTimeoutMs while anything happened: an idle
   * connection is closed between one and two periods after its last byte or call.
   */
  #onIdleTimer(): void {
    if (this.#connection.closed) return;
    const calls = this.#calls!;
    if (this.active || calls.running > 0 || calls.held > 0) {
      this.active = false;
      this.#idle!.refresh();
      return;
    }
    this.#connection.fail(
      new RpcError(
        'ERR_IDLE_TIMEOUT',
        `rpc server: no calls and no bytes for ${this.#limits.idleTimeoutMs} ms (idleTimeoutMs)`,
      ),
    );
  }
}
