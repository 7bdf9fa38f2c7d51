import type { Socket } from 'node:net';
import { RpcError } from '../../util/errors.ts';
import { MAX_TIMER_MS } from '../../util/units.ts';
import type { Codec, FrameDecoder } from '../codec/codec.ts';
import { EncodeError, ProtocolError } from '../errors.ts';
import type { FrameWriter } from '../frame-writer.ts';
import { createFrameWriter } from '../frame-writers.ts';
import type { GobBudget } from '../gob/budget.ts';
import { asHeader, type Header } from '../header.ts';
import { UndecodableValue } from '../undecodable-value.ts';
import { errorText } from './handler-error-text.ts';
import { HeldCalls } from './held-calls.ts';
import { InFlightCalls } from './in-flight-calls.ts';
import { ServerCall } from './server-call.ts';
import type { Method, MethodHandler, Service } from './service.ts';

/** What the calls of a connection need from its server. */
export interface CallHost {
  readonly maxFrameBytes: number;
  /** What one gob message and one gob stream may make the connection hold. */
  readonly gobBudget: GobBudget;
  /** The server's cap on handling a call; 0: only the client's HandleTimeout applies. */
  readonly handleTimeoutMs: number;
  /** Calls handled at once on one connection; at the limit the connection stops reading. */
  readonly maxInFlightPerConnection: number;
  findMethod(serviceMethod: string): Method | undefined;
  /** Only to word the error for a call to no method. */
  findService(name: string): Service | undefined;
  /** Whether new calls are refused because the server is closing. */
  readonly closing: boolean;
}

/** Go's reply body for a failed call is `struct{}{}`. */
const EMPTY_BODY = Object.freeze({});

/**
 * The calls of one connection after its handshake: header and body frames decoded into calls,
 * dispatched to their handlers, answered; reading stops while every slot is taken or the peer
 * does not take its replies.
 */
export class ConnectionCalls {
  readonly #socket: Socket;
  readonly #host: CallHost;
  readonly #decoder: FrameDecoder;
  readonly #writer: FrameWriter;
  readonly #handleTimeoutMs: number;
  /** Called when the last call in flight settles. */
  readonly #onAllSettled: () => void;
  /** The handshake ended at its brace: a newline after it may still arrive, as the codec's first byte. */
  #newlineMayFollow: boolean;
  /** The header whose body has not arrived yet. */
  #header: Header | undefined;
  /** Values decoded so far: the frame timeout tells by it whether a frame has completed. */
  #valuesDecoded = 0;
  readonly #inFlight = new InFlightCalls<ServerCall>();
  /** Calls in #inFlight already answered by the handle timeout, their handlers still running. */
  #overdue = 0;
  /** Reading resumes once they are dispatched. */
  readonly #held = new HeldCalls();
  #dispatchingHeld = false;
  /** Reading is stopped: at the in-flight limit, or until the peer takes the replies queued. */
  #paused = false;
  #closed = false;

  constructor(options: {
    socket: Socket;
    host: CallHost;
    codec: Codec;
    /** The client's HandleTimeout from its handshake; 0: none. */
    clientHandleTimeoutMs: number;
    newlineMayFollow: boolean;
    onAllSettled: () => void;
  }) {
    this.#socket = options.socket;
    this.#host = options.host;
    this.#handleTimeoutMs = effectiveTimeoutMs(options.clientHandleTimeoutMs, options.host.handleTimeoutMs);
    this.#decoder = options.codec.createDecoder(options.host.maxFrameBytes, options.host.gobBudget);
    this.#writer = createFrameWriter(options.socket, options.codec);
    this.#newlineMayFollow = options.newlineMayFollow;
    this.#onAllSettled = options.onAllSettled;
  }

  /** Handlers not settled: calls awaiting their reply and the overdue ones. */
  get running(): number {
    return this.#inFlight.size;
  }

  /** Calls answered by the handle timeout whose handlers have not settled: they still hold their slots. */
  get overdue(): number {
    return this.#overdue;
  }

  /** Calls decoded but waiting for a slot under maxInFlightPerConnection. */
  get held(): number {
    return this.#held.count;
  }

  get paused(): boolean {
    return this.#paused;
  }

  get valuesDecoded(): number {
    return this.#valuesDecoded;
  }

  /** Part of a frame, or a header without its body, has arrived. */
  midMessage(): boolean {
    return this.#header !== undefined || this.#decoder.midFrame;
  }

  flush(): void {
    this.#writer.flush();
  }

  /** Feeds the codec, first dropping the handshake's newline when it arrived after the handshake. */
  push(chunk: Buffer): void {
    if (this.#newlineMayFollow) {
      this.#newlineMayFollow = false;
      if (chunk[0] === 0x0a) chunk = chunk.subarray(1);
      if (chunk.length === 0) return;
    }
    this.#decoder.push(chunk, this.#onValue);
  }

  readonly #onValue = (value: unknown): void => {
    if (this.#header === undefined) {
      const header = asHeader(value);
      if (header === undefined) {
        const reason = value instanceof UndecodableValue ? value.reason : 'not a {ServiceMethod, Seq} object';
        throw new ProtocolError('ERR_BAD_FRAME', `rpc server: read header error: ${reason}`);
      }
      this.#header = header;
      this.#valuesDecoded++;
      return;
    }
    const header = this.#header;
    this.#header = undefined;
    this.#valuesDecoded++;
    // Paused at the in-flight limit, or while the peer lags: the rest of this chunk waits its turn.
    if (this.#paused) {
      this.#held.push(header, value, this.#decoder.lastValueElements ?? 0);
      return;
    }
    this.#dispatch(header, value);
  };

  /** A call finished while reading was paused, or the peer drained: held calls take the slot, then reading resumes. */
  onSlotFreed(): void {
    if (this.#closed) return;
    if (this.#held.count > 0) this.#dispatchHeld();
    this.#resumeIfAllowed();
  }

  /** The connection closed: every call is let go and its handler's signal aborted. */
  close(): void {
    this.#closed = true;
    this.#held.clear();
    this.#overdue = 0;
    const reason = new RpcError('ERR_CONN_CLOSED', 'rpc server: connection closed before the reply was sent');
    for (const call of this.#inFlight.takeAll()) {
      call.abort(reason);
      if (call.timer !== undefined) clearTimeout(call.timer);
    }
  }

  /** Dispatches held calls while slots are free. */
  #dispatchHeld(): void {
    // A handler that returns at once finishes inside #dispatch and lands here again: the outer loop goes on.
    if (this.#dispatchingHeld) return;
    this.#dispatchingHeld = true;
    const held = this.#held;
    let taken = 0;
    try {
      while (taken < held.count && this.#inFlight.size < this.#host.maxInFlightPerConnection) {
        const index = taken++;
        this.#dispatch(held.header(index), held.args(index));
      }
    } finally {
      held.drop(taken);
      this.#dispatchingHeld = false;
    }
  }

  /** Reads again unless the peer is not taking replies, or every slot is taken, or calls wait. */
  #resumeIfAllowed(): void {
    if (
      this.#closed ||
      this.#socket.writableNeedDrain ||
      this.#held.count > 0 ||
      this.#inFlight.size >= this.#host.maxInFlightPerConnection
    ) {
      return;
    }
    if (this.#paused) {
      this.#paused = false;
      this.#socket.resume();
    }
  }

  #dispatch(header: Header, args: unknown): void {
    const { ServiceMethod: serviceMethod, Seq: seq } = header;
    if (args instanceof UndecodableValue) {
      this.#replyError(serviceMethod, seq, `rpc server: read body err: ${args.reason}`);
      return;
    }
    if (this.#host.closing) {
      this.#replyError(serviceMethod, seq, 'rpc server: server is shutting down');
      return;
    }
    const found = this.#findHandler(serviceMethod);
    if (typeof found === 'string') {
      this.#replyError(serviceMethod, seq, found);
      return;
    }
    const call = new ServerCall(serviceMethod, seq);
    this.#inFlight.add(call);
    if (this.#inFlight.size >= this.#host.maxInFlightPerConnection) this.#pause();
    if (this.#handleTimeoutMs > 0) {
      call.timer = setTimeout(() => this.#onHandleTimeout(call), this.#handleTimeoutMs);
    }
    this.#run(found, args, call);
  }

  #run(handler: MethodHandler, args: unknown, call: ServerCall): void {
    let result: unknown;
    try {
      result = handler(args, call);
      // A thenable's own `then` may throw, or call back twice: #finish takes the first outcome only.
      if (result !== null && typeof (result as PromiseLike<unknown>)?.then === 'function') {
        (result as PromiseLike<unknown>).then(
          (reply) => this.#finish(call, false, reply),
          (error: unknown) => this.#finish(call, true, error),
        );
        return;
      }
    } catch (error) {
      this.#finish(call, true, error);
      return;
    }
    this.#finish(call, false, result);
  }

  /** A handler, counting the call, or GeeRPC's error text for why there is none. */
  #findHandler(serviceMethod: string): MethodHandler | string {
    const method = this.#host.findMethod(serviceMethod);
    if (method !== undefined) {
      method.calls++;
      return method.handler;
    }
    const dot = serviceMethod.lastIndexOf('.');
    if (dot <= 0 || dot === serviceMethod.length - 1) {
      return `rpc server: service/method request ill-formed: ${serviceMethod}`;
    }
    const serviceName = serviceMethod.slice(0, dot);
    const methodName = serviceMethod.slice(dot + 1);
    const service = this.#host.findService(serviceName);
    if (service === undefined) return `rpc server: can't find service ${serviceName}`;
    return `rpc server: can't find method ${methodName}`;
  }

  /**
   * Answers the caller and aborts the handler's signal, but the call keeps its slot until the
   * handler settles: a handler that ignores its signal must not let a client that picks a short
   * HandleTimeout run more handlers at once than maxInFlightPerConnection.
   */
  #onHandleTimeout(call: ServerCall): void {
    if (call.done || this.#closed) return;
    const message = `rpc server: request handle timeout: expect within ${this.#handleTimeoutMs}ms`;
    call.overdue = true;
    this.#overdue++;
    this.#replyError(call.serviceMethod, call.seq, message);
    call.abort(new RpcError('ERR_HANDLE_TIMEOUT', message));
  }

  #finish(call: ServerCall, failed: boolean, value: unknown): void {
    if (call.done) return;
    call.done = true;
    if (call.timer !== undefined) clearTimeout(call.timer);
    // A connection that closed has already let go of every call.
    if (call.inFlightIndex === -1) return;
    this.#inFlight.delete(call);
    if (call.overdue) this.#overdue--;
    else if (failed) this.#replyError(call.serviceMethod, call.seq, errorText(value));
    else this.#reply(call, value);
    if (this.#socket.writableNeedDrain) this.#pause();
    else if (this.#paused) this.onSlotFreed();
    if (this.#inFlight.size === 0) this.#onAllSettled();
  }

  #reply(call: ServerCall, value: unknown): void {
    try {
      this.#writer.writeMessage(
        { ServiceMethod: call.serviceMethod, Seq: call.seq, Error: '' },
        value ?? null,
      );
    } catch (encodeError) {
      const failure = new EncodeError('rpc server', `the reply of ${call.serviceMethod}`, {
        cause: encodeError,
      });
      this.#replyError(call.serviceMethod, call.seq, failure.message);
    }
  }

  /** Every reply that is not a handler's result: it stops reading, as #finish does, when the peer lags. */
  #replyError(serviceMethod: string, seq: number, message: string): void {
    this.#writer.writeMessage({ ServiceMethod: serviceMethod, Seq: seq, Error: message }, EMPTY_BODY);
    if (this.#socket.writableNeedDrain) this.#pause();
  }

  /** Stops reading; only #resumeIfAllowed reads again, once nothing holds it back. */
  #pause(): void {
    this.#paused = true;
    this.#socket.pause();
  }
}

/** The smaller of two limits where 0 means none, kept within what a timer can wait. */
function effectiveTimeoutMs(clientMs: number, serverMs: number): number {
  const limitMs = clientMs === 0 ? serverMs : serverMs === 0 ? clientMs : Math.min(clientMs, serverMs);
  return Math.min(limitMs, MAX_TIMER_MS);
}
