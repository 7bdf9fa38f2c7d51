import type { Socket } from 'node:net';
import { RpcError } from '../../util/errors.ts';
import { MAX_TIMER_MS } from '../../util/units.ts';
import { type CodecName, type FrameDecoder, type GobBudget, UndecodableValue } from '../codec/codec.ts';
import { getCodec } from '../codec/codecs.ts';
import { EncodeError, ProtocolError } from '../errors.ts';
import { FrameWriter } from '../frame-writer.ts';
import { endsWithNewline, findHandshakeEnd, MAX_HANDSHAKE_BYTES, parseHandshake } from '../handshake.ts';
import { asHeader, type Header } from '../header.ts';
import { findHeadEnd, httpResponse, MAX_HTTP_HEAD_BYTES, startLine } from '../http-head.ts';
import { InFlightCalls, type InFlightEntry } from './in-flight-calls.ts';

/**
 * Elements (fields, array elements, map entries) the bodies of calls held past the in-flight
 * limit may decode to on one connection: a few bytes of gob can name a wide zero struct.
 */
export const MAX_HELD_ELEMENTS = 1_048_576;

import type { CallContext, Method, MethodHandler, Service } from './service.ts';

/** What a connection needs from its server. */
/** How long a refused handshake's reason line may take to leave before the socket is destroyed. */
const REFUSAL_LINGER_MS = 1_000;

export interface ConnectionHost {
  readonly maxFrameBytes: number;
  readonly gobBudget: GobBudget;
  readonly handshakeTimeoutMs: number;
  /** The server's cap on handling a call; 0: only the client's HandleTimeout applies. */
  readonly handleTimeoutMs: number;
  /** Calls handled at once on one connection; at the limit the connection stops reading. */
  readonly maxInFlightPerConnection: number;
  /** After the handshake, a connection with nothing in flight and no bytes for this long is closed; 0: never. */
  readonly idleTimeoutMs: number;
  /** A frame (or a header's body) still incomplete after this long closes its connection; 0: never. */
  readonly frameTimeoutMs: number;
  readonly codecs: readonly CodecName[];
  readonly rpcPaths: readonly string[];
  findMethod(serviceMethod: string): Method | undefined;
  /** Only to word the error for a call to no method. */
  findService(name: string): Service | undefined;
  debugPage(): string;
  log(message: string): void;
  /** Whether new calls are refused because the server is closing. */
  readonly closing: boolean;
  onConnectionIdle(connection: ServerConnection): void;
}

/** Go's reply body for a failed call is `struct{}{}`. */
const EMPTY_BODY = Object.freeze({});
const CONNECTED = 'HTTP/1.0 200 Connected to Gee RPC\n\n';
/** How long a peer may keep its side open after the server ended the connection. */
const END_GRACE_MS = 2000;

type Phase = 'http' | 'handshake' | 'frames';

/** The server-side state of one in-flight call. Its AbortController is made only if asked for. */
class ServerCall implements CallContext, InFlightEntry {
  readonly serviceMethod: string;
  readonly seq: number;
  /** The handler has settled: its slot is free. */
  done = false;
  /** The handle timeout has answered the caller; the handler still holds its slot until it settles. */
  overdue = false;
  inFlightIndex = -1;
  timer: NodeJS.Timeout | undefined;
  #controller: AbortController | undefined;
  #abortReason: unknown;

  constructor(serviceMethod: string, seq: number) {
    this.serviceMethod = serviceMethod;
    this.seq = seq;
  }

  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.#abortReason !== undefined) this.#controller.abort(this.#abortReason);
    }
    return this.#controller.signal;
  }

  abort(reason: Error): void {
    if (this.#abortReason !== undefined) return;
    this.#abortReason = reason;
    this.#controller?.abort(reason);
  }
}

/**
 * One accepted socket: an optional HTTP CONNECT, the option handshake, then header/body frames.
 * Anything malformed closes this connection with a logged reason and touches no other.
 */
export class ServerConnection {
  readonly #socket: Socket;
  readonly #host: ConnectionHost;
  readonly #remote: string;
  #phase: Phase;
  #pending: Buffer = Buffer.alloc(0);
  #decoder: FrameDecoder | undefined;
  /** The handshake ended at its brace: a newline after it may still arrive, as the codec's first byte. */
  #newlineMayFollow = false;
  #writer: FrameWriter | undefined;
  #handleTimeoutMs = 0;
  #handshakeTimer: NodeJS.Timeout | undefined;
  /** The header whose body has not arrived yet. */
  #header: Header | undefined;
  readonly #inFlight = new InFlightCalls<ServerCall>();
  /** Calls in #inFlight already answered by the handle timeout, their handlers still running. */
  #overdue = 0;
  /** The peer half-closed: the calls it sent are answered, then the connection ends. */
  #peerEnded = false;
  #closed = false;
  #endTimer: NodeJS.Timeout | undefined;
  /**
   * Calls decoded while reading was paused, header then body in turn: the rest of the chunk that
   * filled the last slot or found the peer lagging. Reading resumes once they are dispatched.
   */
  readonly #held: unknown[] = [];
  /** The elements each held body made (codecs that count them), and their sum: held calls' decoded size. */
  readonly #heldElements: number[] = [];
  #heldElementsTotal = 0;
  #dispatchingHeld = false;
  /** Reading is stopped: at the in-flight limit, or until the peer takes the replies queued. */
  #paused = false;
  /** Values decoded so far: the frame timeout tells by it whether a frame has completed. */
  #valuesDecoded = 0;
  #frameTimer: NodeJS.Timeout | undefined;
  #frameTimerArmed = false;
  #valuesAtFrameArm = 0;
  #idleTimer: NodeJS.Timeout | undefined;
  /** Bytes arrived or the last call finished since the idle timer was last armed. */
  #active = false;

  constructor(socket: Socket, host: ConnectionHost, transport: 'http' | 'stream') {
    this.#socket = socket;
    this.#host = host;
    this.#remote = socket.remoteAddress ? `${socket.remoteAddress}:${socket.remotePort}` : 'local socket';
    this.#phase = transport === 'http' ? 'http' : 'handshake';
    socket.setNoDelay(true);
    this.#handshakeTimer = setTimeout(() => {
      this.fail(
        new ProtocolError(
          'ERR_HANDSHAKE_TIMEOUT',
          `rpc server: no handshake within ${host.handshakeTimeoutMs} ms (handshakeTimeoutMs)`,
        ),
      );
    }, host.handshakeTimeoutMs);
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('error', () => {});
    socket.on('end', () => this.#onEnd());
    socket.on('close', () => this.#onClose());
    socket.on('drain', () => this.#onSlotFreed());
  }

  /** Calls awaiting their reply. */
  get inFlight(): number {
    return this.#inFlight.size - this.#overdue;
  }

  /** Calls answered by the handle timeout whose handlers have not settled: they still hold their slots. */
  get overdue(): number {
    return this.#overdue;
  }

  /** Calls decoded but waiting for a slot under maxInFlightPerConnection. */
  get held(): number {
    return this.#held.length / 2;
  }

  get remote(): string {
    return this.#remote;
  }

  /** Bytes written to the socket and not yet sent: what a peer that does not read leaves queued. */
  get bufferedBytes(): number {
    return this.#socket.writableLength;
  }

  get reading(): boolean {
    return !this.#paused;
  }

  /** Closes this connection after logging why; other connections are untouched. */
  fail(error: Error): void {
    if (this.#closed) return;
    const code = error instanceof RpcError ? `${error.code}: ` : '';
    this.#host.log(`rpc server: closing connection from ${this.#remote}: ${code}${error.message}`);
    this.#writer?.flush();
    if (this.#phase === 'handshake' && error instanceof ProtocolError) {
      // One line that tells an rpcbench client why (a Go client only sees the close), then the close.
      this.#socket.end(`${error.message}\n`);
      setTimeout(() => this.#socket.destroy(), REFUSAL_LINGER_MS).unref();
      return;
    }
    this.#socket.destroy();
  }

  /** Ends the connection once nothing is in flight (server close). */
  endWhenIdle(): void {
    if (this.#inFlight.size === 0 && !this.#closed && this.#endTimer === undefined) {
      this.#writer?.flush();
      this.#socket.end();
      // A peer that never closes its side must not hold the server's close() forever.
      this.#endTimer = setTimeout(() => this.#socket.destroy(), END_GRACE_MS);
    }
  }

  destroy(): void {
    this.#socket.destroy();
  }

  #onData(chunk: Buffer): void {
    try {
      if (this.#phase === 'frames') {
        this.#active = true;
        this.#pushFrames(chunk);
        if (!this.#frameTimerArmed && this.#host.frameTimeoutMs > 0 && this.#midMessage()) {
          this.#armFrameTimer();
        }
        return;
      }
      this.#pending = this.#pending.length === 0 ? chunk : Buffer.concat([this.#pending, chunk]);
      if (this.#phase === 'http' && !this.#readHttpHead()) return;
      if (this.#phase === 'handshake') this.#readHandshake();
    } catch (error) {
      this.fail(error instanceof Error ? error : new Error(String(error)));
    }
  }

  /** Returns true once the socket has become an RPC stream. */
  #readHttpHead(): boolean {
    const end = findHeadEnd(this.#pending);
    if (end === -1) {
      if (this.#pending.length > MAX_HTTP_HEAD_BYTES) {
        throw new ProtocolError(
          'ERR_BAD_HANDSHAKE',
          `rpc server: HTTP head longer than ${MAX_HTTP_HEAD_BYTES} bytes`,
        );
      }
      return false;
    }
    if (end > MAX_HTTP_HEAD_BYTES) {
      // The head may arrive whole in one read: the limit holds for it too, not only while it grows.
      throw new ProtocolError(
        'ERR_BAD_HANDSHAKE',
        `rpc server: HTTP head of ${end} bytes is longer than ${MAX_HTTP_HEAD_BYTES} bytes`,
      );
    }
    const [method = '', target = ''] = startLine(this.#pending.subarray(0, end)).split(' ');
    this.#pending = this.#pending.subarray(end);
    if (method === 'CONNECT' && this.#host.rpcPaths.includes(target)) {
      this.#socket.write(CONNECTED);
      this.#phase = 'handshake';
      return true;
    }
    clearTimeout(this.#handshakeTimer);
    this.#phase = 'frames';
    this.#decoder = { push() {}, midFrame: false };
    if (method === 'GET' && target === '/debug/geerpc') {
      this.#socket.end(httpResponse('200 OK', 'text/html; charset=utf-8', this.#host.debugPage()));
    } else {
      this.#socket.end(
        httpResponse('405 Method Not Allowed', 'text/plain; charset=utf-8', '405 must CONNECT\n'),
      );
    }
    // Answered: a peer that keeps its side open must not hold the connection forever.
    this.#endTimer = setTimeout(() => this.#socket.destroy(), END_GRACE_MS);
    return false;
  }

  #readHandshake(): void {
    const end = findHandshakeEnd(this.#pending);
    if (end === -1) {
      if (this.#pending.length > MAX_HANDSHAKE_BYTES) {
        throw new ProtocolError(
          'ERR_BAD_HANDSHAKE',
          `rpc server: handshake longer than ${MAX_HANDSHAKE_BYTES} bytes`,
        );
      }
      return;
    }
    if (end > MAX_HANDSHAKE_BYTES) {
      throw new ProtocolError(
        'ERR_BAD_HANDSHAKE',
        `rpc server: handshake longer than ${MAX_HANDSHAKE_BYTES} bytes`,
      );
    }
    const handshake = parseHandshake(this.#pending.subarray(0, end), this.#host.codecs);
    clearTimeout(this.#handshakeTimer);
    const codec = getCodec(handshake.codec);
    this.#handleTimeoutMs = effectiveTimeoutMs(handshake.handleTimeoutMs, this.#host.handleTimeoutMs);
    this.#decoder = codec.createDecoder(this.#host.maxFrameBytes, this.#host.gobBudget);
    this.#writer = new FrameWriter(this.#socket, codec);
    this.#phase = 'frames';
    if (this.#host.idleTimeoutMs > 0) {
      this.#idleTimer = setTimeout(() => this.#onIdleTimer(), this.#host.idleTimeoutMs).unref();
    }
    this.#newlineMayFollow = !endsWithNewline(this.#pending, end);
    const rest = this.#pending.subarray(end);
    this.#pending = Buffer.alloc(0);
    if (rest.length > 0) this.#pushFrames(rest);
    if (this.#host.frameTimeoutMs > 0 && this.#midMessage()) this.#armFrameTimer();
  }

  /** Part of a frame, or a header without its body, has arrived. */
  #midMessage(): boolean {
    return this.#header !== undefined || this.#decoder!.midFrame;
  }

  /**
   * One timer per connection, re-armed rather than re-created. It fires frameTimeoutMs after a
   * chunk left a message incomplete; if no value has been decoded since, that message has taken
   * at least that long, so the connection is closed. A frame that began later gets another period.
   */
  #armFrameTimer(): void {
    this.#frameTimerArmed = true;
    this.#valuesAtFrameArm = this.#valuesDecoded;
    if (this.#frameTimer === undefined) {
      this.#frameTimer = setTimeout(() => this.#onFrameTimer(), this.#host.frameTimeoutMs).unref();
    } else {
      this.#frameTimer.refresh();
    }
  }

  #onFrameTimer(): void {
    this.#frameTimerArmed = false;
    if (this.#closed || !this.#midMessage()) return;
    // While the server is not reading, the peer cannot make progress: that is not its fault.
    if (this.#valuesDecoded !== this.#valuesAtFrameArm || this.#paused) {
      this.#armFrameTimer();
      return;
    }
    this.fail(
      new RpcError(
        'ERR_FRAME_TIMEOUT',
        `rpc server: a frame took longer than ${this.#host.frameTimeoutMs} ms to arrive (frameTimeoutMs)`,
      ),
    );
  }

  /**
   * One timer per connection, re-armed every idleTimeoutMs while anything happened: an idle
   * connection is closed between one and two periods after its last byte or call.
   */
  #onIdleTimer(): void {
    if (this.#closed) return;
    if (this.#active || this.#inFlight.size > 0 || this.#held.length > 0) {
      this.#active = false;
      this.#idleTimer!.refresh();
      return;
    }
    this.fail(
      new RpcError(
        'ERR_IDLE_TIMEOUT',
        `rpc server: no calls and no bytes for ${this.#host.idleTimeoutMs} ms (idleTimeoutMs)`,
      ),
    );
  }

  /** Feeds the codec, first dropping the handshake's newline when it arrived after the handshake. */
  #pushFrames(chunk: Buffer): void {
    if (this.#newlineMayFollow) {
      this.#newlineMayFollow = false;
      if (chunk[0] === 0x0a) chunk = chunk.subarray(1);
      if (chunk.length === 0) return;
    }
    this.#decoder!.push(chunk, this.#onValue);
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
      const elements = this.#decoder?.lastValueElements ?? 0;
      this.#heldElementsTotal += elements;
      if (this.#heldElementsTotal > MAX_HELD_ELEMENTS) {
        throw new ProtocolError(
          'ERR_BAD_FRAME',
          `rpc server: calls held past the in-flight limit decode to more than ${MAX_HELD_ELEMENTS} elements`,
        );
      }
      this.#held.push(header, value);
      this.#heldElements.push(elements);
      return;
    }
    this.#dispatch(header, value);
  };

  /** Dispatches held calls while slots are free. */
  #dispatchHeld(): void {
    // A handler that returns at once finishes inside #dispatch and lands here again: the outer loop goes on.
    if (this.#dispatchingHeld) return;
    this.#dispatchingHeld = true;
    const held = this.#held;
    let taken = 0;
    try {
      while (taken < held.length && this.#inFlight.size < this.#host.maxInFlightPerConnection) {
        const header = held[taken] as Header;
        const args = held[taken + 1];
        taken += 2;
        this.#dispatch(header, args);
      }
    } finally {
      held.splice(0, taken);
      for (const elements of this.#heldElements.splice(0, taken / 2)) this.#heldElementsTotal -= elements;
      this.#dispatchingHeld = false;
    }
  }

  /** Reads again unless the peer is not taking replies, or every slot is taken, or calls wait. */
  #resumeIfAllowed(): void {
    if (
      this.#closed ||
      this.#socket.writableNeedDrain ||
      this.#held.length > 0 ||
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
    let result: unknown;
    try {
      result = found(args, call);
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
    if (call.overdue) {
      this.#overdue--;
    } else {
      if (!failed) {
        try {
          this.#writer!.writeMessage(
            { ServiceMethod: call.serviceMethod, Seq: call.seq, Error: '' },
            value ?? null,
          );
        } catch (encodeError) {
          const failure = new EncodeError('rpc server', `the reply of ${call.serviceMethod}`, {
            cause: encodeError,
          });
          this.#replyError(call.serviceMethod, call.seq, failure.message);
        }
      } else {
        this.#replyError(call.serviceMethod, call.seq, errorText(value));
      }
    }
    if (this.#socket.writableNeedDrain) this.#pause();
    else if (this.#paused) this.#onSlotFreed();
    if (this.#inFlight.size === 0) {
      this.#active = true;
      this.#host.onConnectionIdle(this);
      this.#endIfPeerDone();
    }
  }

  /**
   * With allowHalfOpen, a peer's FIN only means it sends no more: the calls it sent are still
   * answered (as GeeRPC's Go server waits for them), then this side ends too.
   */
  #onEnd(): void {
    this.#peerEnded = true;
    if (this.#phase !== 'frames') {
      this.#socket.end();
      return;
    }
    this.#endIfPeerDone();
  }

  #endIfPeerDone(): void {
    if (!this.#peerEnded || this.#closed || this.#inFlight.size > 0 || this.#held.length > 0) return;
    this.#writer?.flush();
    this.#socket.end();
  }

  /** A call finished while reading was paused: held calls take the slot, then reading resumes. */
  #onSlotFreed(): void {
    if (this.#closed) return;
    if (this.#held.length > 0) this.#dispatchHeld();
    this.#resumeIfAllowed();
  }

  /** Every reply that is not a handler's result: it stops reading, as #finish does, when the peer lags. */
  #replyError(serviceMethod: string, seq: number, message: string): void {
    this.#writer!.writeMessage({ ServiceMethod: serviceMethod, Seq: seq, Error: message }, EMPTY_BODY);
    if (this.#socket.writableNeedDrain) this.#pause();
  }

  /** Stops reading; only #resumeIfAllowed reads again, once nothing holds it back. */
  #pause(): void {
    this.#paused = true;
    this.#socket.pause();
  }

  #onClose(): void {
    this.#closed = true;
    clearTimeout(this.#handshakeTimer);
    clearTimeout(this.#endTimer);
    clearTimeout(this.#frameTimer);
    clearTimeout(this.#idleTimer);
    this.#held.length = 0;
    this.#overdue = 0;
    this.#heldElements.length = 0;
    this.#heldElementsTotal = 0;
    const reason = new RpcError('ERR_CONN_CLOSED', 'rpc server: connection closed before the reply was sent');
    for (const call of this.#inFlight.takeAll()) {
      call.abort(reason);
      if (call.timer !== undefined) clearTimeout(call.timer);
    }
    this.#host.onConnectionIdle(this);
  }

  get closed(): boolean {
    return this.#closed;
  }
}

/** The smaller of two limits where 0 means none, kept within what a timer can wait. */
function effectiveTimeoutMs(clientMs: number, serverMs: number): number {
  const limitMs = clientMs === 0 ? serverMs : serverMs === 0 ? clientMs : Math.min(clientMs, serverMs);
  return Math.min(limitMs, MAX_TIMER_MS);
}

/**
 * The reply's error text for whatever a handler threw or rejected with. Never empty, since an
 * empty Error means success on the wire, and never throwing: `String()` fails on an object
 * without a prototype, and a getter or a Proxy may throw too.
 */
export function errorText(error: unknown): string {
  let text: unknown;
  try {
    if (typeof error === 'string') text = error;
    else if (error instanceof Error) text = error.message || error.name;
    else if (error !== null && error !== undefined) text = String(error);
  } catch {
    text = undefined;
  }
  if (typeof text === 'string' && text !== '') return text;
  return `rpc server: handler failed: ${typeOf(error)}`;
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  try {
    if (value instanceof Error) return 'Error';
  } catch {
    // A revoked Proxy throws even here.
  }
  return typeof value;
}
