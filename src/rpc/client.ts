import type { Socket } from 'node:net';
import { InvalidArgumentError, RpcError } from '../util/errors.ts';
import { MAX_TIMER_MS } from '../util/units.ts';
import { CallDeadlines } from './call-deadlines.ts';
import {
  CODEC_NAMES,
  CODEC_SHORT_NAME_LIST,
  type CodecChoice,
  type CodecName,
  codecNamed,
  DEFAULT_CODEC,
  DEFAULT_MAX_FRAME_BYTES,
  type FrameDecoder,
} from './codec/codec.ts';
import { getCodec } from './codec/codecs.ts';
import { checkGobBudget } from './codec/gob-codec.ts';
import {
  CallAbortedError,
  CallTimeoutError,
  ClientClosedError,
  CodecRefusedError,
  ConnectionClosedError,
  EncodeError,
  FrameTooLargeError,
  ProtocolError,
  RemoteError,
  SendBufferFullError,
} from './errors.ts';
import type { FrameWriter } from './frame-writer.ts';
import { createFrameWriter } from './frame-writers.ts';
import type { GobBudget } from './gob/budget.ts';
import { encodeHandshake } from './handshake.ts';
import { asHeader, type Header } from './header.ts';
import { PendingCalls } from './pending-calls.ts';
import { UndecodableValue } from './undecodable-value.ts';

export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
/** The path GeeRPC's Go server serves CONNECT on (sic); rpcbench's server accepts it and `/_geerpc_`. */
export const DEFAULT_HTTP_PATH = '/_geeprc_';

export interface ClientOptions {
  /** The short name (`gob`) or the full name (`application/gob`). @default 'application/msgpack' */
  codec?: CodecChoice;
  /** Dialing, including the HTTP CONNECT exchange, fails after this long; 0 waits forever. @default 10000 */
  connectTimeoutMs?: number;
  /** Sent in the handshake: the server answers a call still running after this long with a timeout error; 0 means never. @default 0 */
  handleTimeoutMs?: number;
  /** Every call's timeout unless the call gives its own; 0 means none. @default 0 */
  callTimeoutMs?: number;
  /** The largest reply frame accepted. @default 16 MiB */
  maxFrameBytes?: number;
  /** The CONNECT path on `http@` addresses. @default '/_geeprc_', as GeeRPC's Go server spells it */
  httpPath?: string;
  /**
   * Once the socket holds more than this many bytes unsent (a server that stopped reading), new
   * calls fail at once with ERR_SEND_BUFFER_FULL until it drains. At least the socket's 16 KiB
   * highWaterMark applies. @default 8 MiB
   */
  maxSendBufferBytes?: number;
  /**
   * Replies that answer no call (a sequence number never sent, or sent and already answered)
   * beyond the calls that timed out or were aborted: past this many on one connection, the server
   * is broken or hostile and the connection is closed with ERR_BAD_FRAME. @default 1024
   */
  maxUnsolicitedReplies?: number;
  /** What one gob reply and the gob stream may make this client hold (see ServerOptions.gobBudget). @default the decoder's defaults */
  gobBudget?: GobBudget;
}

export const DEFAULT_MAX_SEND_BUFFER_BYTES = 8 * 1024 * 1024;
export const DEFAULT_MAX_UNSOLICITED_REPLIES = 1024;

/** ClientOptions with every default applied. */
export type ResolvedClientOptions = Required<Omit<ClientOptions, 'codec'>> & { codec: CodecName };

export interface CallOptions {
  /** Aborting it rejects the call with ERR_CALL_ABORTED; a late reply is dropped. */
  signal?: AbortSignal;
  /** Overrides the client's callTimeoutMs for this call; 0 means none. */
  timeoutMs?: number;
}

export function resolveClientOptions(options: ClientOptions = {}): ResolvedClientOptions {
  const resolved: ResolvedClientOptions = {
    codec: options.codec === undefined ? DEFAULT_CODEC : (codecNamed(String(options.codec)) as CodecName),
    connectTimeoutMs: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    handleTimeoutMs: options.handleTimeoutMs ?? 0,
    callTimeoutMs: options.callTimeoutMs ?? 0,
    maxFrameBytes: options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES,
    httpPath: options.httpPath ?? DEFAULT_HTTP_PATH,
    maxSendBufferBytes: options.maxSendBufferBytes ?? DEFAULT_MAX_SEND_BUFFER_BYTES,
    maxUnsolicitedReplies: options.maxUnsolicitedReplies ?? DEFAULT_MAX_UNSOLICITED_REPLIES,
    gobBudget: { ...options.gobBudget },
  };
  checkGobBudget(resolved.gobBudget, 'options.gobBudget');
  for (const key of ['connectTimeoutMs', 'handleTimeoutMs', 'callTimeoutMs'] as const) {
    if (!Number.isFinite(resolved[key]) || resolved[key] < 0 || resolved[key] > MAX_TIMER_MS) {
      throw new InvalidArgumentError(
        `options.${key} must be a number of milliseconds from 0 to ${MAX_TIMER_MS}, got ${resolved[key]}`,
      );
    }
  }
  if (!Number.isSafeInteger(resolved.maxFrameBytes) || resolved.maxFrameBytes <= 0) {
    throw new InvalidArgumentError('options.maxFrameBytes must be a positive integer');
  }
  if (!Number.isSafeInteger(resolved.maxSendBufferBytes) || resolved.maxSendBufferBytes <= 0) {
    throw new InvalidArgumentError(
      `options.maxSendBufferBytes must be a positive integer, got ${resolved.maxSendBufferBytes}`,
    );
  }
  if (!Number.isSafeInteger(resolved.maxUnsolicitedReplies) || resolved.maxUnsolicitedReplies < 0) {
    throw new InvalidArgumentError(
      `options.maxUnsolicitedReplies must be an integer of at least 0, got ${resolved.maxUnsolicitedReplies}`,
    );
  }
  if ((resolved.codec as CodecName | undefined) === undefined) {
    throw new InvalidArgumentError(
      `options.codec must be one of ${CODEC_NAMES.join(', ')} (or ${CODEC_SHORT_NAME_LIST.join(', ')}), got ${String(options.codec)}`,
    );
  }
  return resolved;
}

/** What the Promise constructor hands over, kept here for the call being made: no closure per call. */
let capturedResolve: ((reply: unknown) => void) | undefined;
let capturedReject: ((error: Error) => void) | undefined;
function capturePromiseFunctions(resolve: (reply: never) => void, reject: (error: Error) => void): void {
  capturedResolve = resolve as (reply: unknown) => void;
  capturedReject = reject;
}

/**
 * Where callWith() delivers a call's end, with the context the call was made with: one handler
 * object serves every call, so a call makes neither a promise nor a closure. Exactly one of the
 * two is called, never before callWith() has returned, but otherwise as the call ends: once the
 * chunk that held its reply is read, or inside whatever ended it (close(), an abort, a timeout).
 * A handler that throws does not disturb the connection: the error is thrown again outside it,
 * as an uncaught exception.
 */
export interface ReplyHandler<C> {
  onReply(reply: unknown, context: C): void;
  onError(error: Error, context: C): void;
}

/**
 * One call waiting for its reply: a call()'s promise functions, or a callWith()'s handler and
 * context. One class, not a closure per call nor a class per kind: this is the hot path.
 */
class PendingCall {
  readonly serviceMethod: string;
  /** call(): the promise's functions. */
  readonly resolve: ((reply: unknown) => void) | undefined;
  readonly reject: ((error: Error) => void) | undefined;
  /** callWith(): its handler (undefined for call()) and context. */
  readonly handler: ReplyHandler<unknown> | undefined;
  readonly context: unknown;
  /** performance.now() past which the call times out; 0 for none. */
  deadlineMs = 0;
  timeoutMs = 0;
  signal: AbortSignal | undefined = undefined;
  onAbort: (() => void) | undefined = undefined;
  /** The reply, or the error when `failed`, from the moment it is read until it is delivered. */
  outcome: unknown = undefined;
  failed = false;

  constructor(
    serviceMethod: string,
    resolve: ((reply: unknown) => void) | undefined,
    reject: ((error: Error) => void) | undefined,
    handler: ReplyHandler<unknown> | undefined,
    context: unknown,
  ) {
    this.serviceMethod = serviceMethod;
    this.resolve = resolve;
    this.reject = reject;
    this.handler = handler;
    this.context = context;
  }

  /** Delivers the reply, or the error when `failed`: to the promise, or to the handler. */
  settle(failed: boolean, outcome: unknown): void {
    const handler = this.handler;
    if (handler === undefined) {
      if (failed) this.reject!(outcome as Error);
      else this.resolve!(outcome);
      return;
    }
    try {
      if (failed) handler.onError(outcome as Error, this.context);
      else handler.onReply(outcome, this.context);
    } catch (error) {
      throwOutside(error);
    }
  }

  release(): void {
    if (this.onAbort !== undefined) this.signal!.removeEventListener('abort', this.onAbort);
  }
}

/** A handler's own failure is the caller's bug, not the connection's: it surfaces as uncaught. */
function throwOutside(error: unknown): void {
  queueMicrotask(() => {
    throw error;
  });
}

/**
 * A connection to one server that multiplexes any number of calls by sequence number.
 * Made by `dial()`.
 */
export class Client {
  readonly address: string;
  readonly #socket: Socket;
  readonly #writer: FrameWriter;
  readonly #decoder: FrameDecoder;
  readonly #callTimeoutMs: number;
  readonly #maxSendBufferBytes: number;
  readonly #maxUnsolicitedReplies: number;
  /** Replies that answered no call, beyond the abandoned ones. */
  #unsolicited = 0;
  readonly #pending = new PendingCalls<PendingCall>();
  /** Calls answered by the chunk being read, delivered once it is read (#deliverEnded). */
  readonly #ended: PendingCall[] = [];
  readonly #deadlines = new CallDeadlines((nowMs) => this.#expireCalls(nowMs));
  #seq = 0;
  /** Calls timed out or aborted whose late replies have not arrived: their handlers may still run. */
  #abandoned = 0;
  #header: Header | undefined;
  #closing = false;
  #broken = false;
  /** Nothing has arrived yet: the first bytes may be the server's refusal of the handshake. */
  #awaitingFirstBytes = true;
  readonly #codec: CodecName;
  readonly #closeListeners = new Set<(error: Error) => void>();
  #closeCause: Error | undefined;

  /** Takes over a socket that is connected (and past any HTTP CONNECT) and sends the handshake. */
  constructor(address: string, socket: Socket, options: ResolvedClientOptions, leftover?: Buffer) {
    this.address = address;
    this.#socket = socket;
    this.#callTimeoutMs = options.callTimeoutMs;
    this.#maxSendBufferBytes = options.maxSendBufferBytes;
    this.#maxUnsolicitedReplies = options.maxUnsolicitedReplies;
    this.#codec = options.codec;
    const codec = getCodec(options.codec);
    this.#writer = createFrameWriter(socket, codec, options.maxSendBufferBytes);
    this.#decoder = codec.createDecoder(options.maxFrameBytes, options.gobBudget);
    socket.setNoDelay(true);
    // The handshake goes first in the same write as the first calls: no round trip is waited for.
    this.#writer.writeRaw(encodeHandshake(options));
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('error', (error) => this.#breakConnection(error));
    socket.on('end', () => this.#breakConnection(new Error('server closed the connection')));
    socket.on('close', () => this.#breakConnection(new Error('socket closed')));
    if (leftover !== undefined && leftover.length > 0) this.#onData(leftover);
  }

  /** Sends a call and resolves with the reply, or rejects with a typed RpcError. */
  call<Reply = unknown>(serviceMethod: string, args: unknown, options?: CallOptions): Promise<Reply> {
    const refusal = this.#refusal(serviceMethod, options?.signal);
    if (refusal !== undefined) return Promise.reject(refusal);
    const promise = new Promise<Reply>(capturePromiseFunctions);
    this.#send(
      new PendingCall(serviceMethod, capturedResolve, capturedReject, undefined, undefined),
      args,
      options,
    );
    return promise;
  }

  /**
   * As call(), delivering the reply or the typed RpcError to `handler` with `context` instead of
   * through a promise: for a caller that makes calls in a loop (a load generator), whose one
   * handler object serves them all.
   */
  callWith<C>(
    serviceMethod: string,
    args: unknown,
    options: CallOptions | undefined,
    handler: ReplyHandler<C>,
    context: C,
  ): void {
    const call = new PendingCall(
      serviceMethod,
      undefined,
      undefined,
      handler as ReplyHandler<unknown>,
      context,
    );
    const refusal = this.#refusal(serviceMethod, options?.signal);
    if (refusal === undefined) this.#send(call, args, options);
    else queueMicrotask(() => call.settle(true, refusal));
  }

  /** Why a call cannot be sent now, if it cannot. */
  #refusal(serviceMethod: string, signal: AbortSignal | undefined): Error | undefined {
    if (this.#closing) return new ClientClosedError();
    if (this.#broken) return new ConnectionClosedError();
    if (this.#writer.congested) return new SendBufferFullError(serviceMethod, this.#maxSendBufferBytes);
    if (signal?.aborted) return new CallAbortedError(serviceMethod, signal.reason);
    return undefined;
  }

  #send(call: PendingCall, args: unknown, options: CallOptions | undefined): void {
    const seq = ++this.#seq;
    const timeoutMs = options?.timeoutMs ?? this.#callTimeoutMs;
    const signal = options?.signal;
    if (timeoutMs > 0 || signal !== undefined) this.#arm(call, seq, timeoutMs, signal);
    this.#pending.set(seq, call);
    try {
      this.#writer.writeMessage({ ServiceMethod: call.serviceMethod, Seq: seq, Error: '' }, args ?? null);
    } catch (error) {
      // Nothing was queued, so the connection stays usable for every other call.
      this.#pending.take(seq);
      call.release();
      const failure = new EncodeError('rpc client', `the arguments of ${call.serviceMethod}`, {
        cause: error,
      });
      // Never before the caller has the call back: a promise defers by itself, a handler by this.
      queueMicrotask(() => call.settle(true, failure));
    }
  }

  /** Sets the call's deadline and abort listener; kept apart so that calls without them make no closures. */
  #arm(call: PendingCall, seq: number, timeoutMs: number, signal: AbortSignal | undefined): void {
    const { serviceMethod } = call;
    if (timeoutMs > 0) {
      const nowMs = performance.now();
      call.timeoutMs = timeoutMs;
      call.deadlineMs = nowMs + timeoutMs;
      this.#deadlines.add(call.deadlineMs, nowMs);
    }
    if (signal !== undefined) {
      call.signal = signal;
      call.onAbort = () => this.#forget(seq, new CallAbortedError(serviceMethod, signal.reason));
      signal.addEventListener('abort', call.onAbort, { once: true });
    }
  }

  /** False once the connection broke or the client was closed: the XClient re-dials then. */
  isAvailable(): boolean {
    return !this.#closing && !this.#broken;
  }

  get pendingCalls(): number {
    return this.#pending.size;
  }

  /** Bytes written and not yet taken by the kernel: bounded by maxSendBufferBytes plus one batch. */
  get bufferedBytes(): number {
    return this.#writer.bufferedBytes;
  }

  /** Calls `listener` once when the connection breaks or is closed, even if that already happened. */
  onClose(listener: (error: Error) => void): void {
    // A listener added after the break still hears of it, though never from inside onClose() itself.
    const cause = this.#closeCause;
    if (cause !== undefined) queueMicrotask(() => listener(cause));
    else this.#closeListeners.add(listener);
  }

  /** Rejects every pending call with ERR_CONN_CLOSED and closes the connection. */
  async close(): Promise<void> {
    if (this.#closing) return;
    this.#closing = true;
    const abandoning = this.#pending.size > 0 || this.#abandoned > 0;
    this.#writer.flush();
    const closed = new Promise<void>((resolve) => {
      if (this.#socket.closed) resolve();
      else this.#socket.once('close', () => resolve());
    });
    // A server keeps answering a half-closed connection: a reset tells it the calls are abandoned.
    if (abandoning) resetOrDestroy(this.#socket);
    else this.#socket.end();
    this.#breakConnection(new Error('client closed'));
    // A server that never closes its side must not hold close() forever.
    const timer = setTimeout(() => this.#socket.destroy(), 1000);
    await closed;
    clearTimeout(timer);
  }

  #onData(chunk: Buffer): void {
    if (this.#awaitingFirstBytes) {
      this.#awaitingFirstBytes = false;
      const refusal = refusalIn(chunk, this.#codec);
      if (refusal !== undefined) {
        this.#breakConnection(refusal);
        return;
      }
    }
    try {
      this.#decoder.push(chunk, this.#onValue);
    } catch (error) {
      this.#deliverEnded();
      this.#socket.destroy();
      // A reply that does not decode, or not within the decoder's budget: one code for a broken stream.
      this.#breakConnection(
        error instanceof RpcError && error.code.startsWith('ERR_GOB_')
          ? new ProtocolError('ERR_BAD_FRAME', `rpc client: reading reply: ${error.message}`, {
              cause: error,
            })
          : (error as Error),
      );
      return;
    }
    this.#deliverEnded();
  }

  /**
   * Hands the calls the chunk answered their outcomes, in order, once it is read: decoding stays
   * one tight loop, and a handler that closes the client finds the chunk done.
   */
  #deliverEnded(): void {
    const ended = this.#ended;
    for (let i = 0; i < ended.length; i++) {
      const call = ended[i]!;
      const outcome = call.outcome;
      call.outcome = undefined;
      call.settle(call.failed, outcome);
    }
    ended.length = 0;
  }

  readonly #onValue = (value: unknown): void => {
    if (this.#header === undefined) {
      const header = asHeader(value);
      if (header === undefined) {
        const reason = value instanceof UndecodableValue ? value.reason : 'not a {ServiceMethod, Seq} object';
        throw new ProtocolError('ERR_BAD_FRAME', `rpc client: reading header: ${reason}`);
      }
      this.#header = header;
      return;
    }
    const header = this.#header;
    this.#header = undefined;
    const call = this.#pending.take(header.Seq);
    // A call that timed out or was aborted is forgotten: its late reply is dropped here.
    if (call === undefined) {
      if (this.#abandoned > 0) this.#abandoned--;
      else if (++this.#unsolicited > this.#maxUnsolicitedReplies) {
        throw new ProtocolError(
          'ERR_BAD_FRAME',
          `rpc client: the server sent more than ${this.#maxUnsolicitedReplies} replies to no call (the last with seq ${header.Seq}; maxUnsolicitedReplies)`,
        );
      }
      return;
    }
    call.release();
    call.failed = header.Error !== '' || value instanceof UndecodableValue;
    if (header.Error !== '') call.outcome = new RemoteError(call.serviceMethod, header.Error);
    else if (value instanceof UndecodableValue) {
      call.outcome = new ProtocolError('ERR_BAD_FRAME', `rpc client: reading body: ${value.reason}`);
    } else call.outcome = value;
    this.#ended.push(call);
  };

  /** Times out every call whose deadline has passed; returns the earliest deadline left. */
  #expireCalls(nowMs: number): number {
    let earliestMs = Number.POSITIVE_INFINITY;
    const due: [number, PendingCall][] = [];
    this.#pending.forEach((call, seq) => {
      if (call.deadlineMs === 0) return;
      if (call.deadlineMs <= nowMs) due.push([seq, call]);
      else if (call.deadlineMs < earliestMs) earliestMs = call.deadlineMs;
    });
    for (const [seq, call] of due)
      this.#forget(seq, new CallTimeoutError(call.serviceMethod, call.timeoutMs));
    return earliestMs;
  }

  #forget(seq: number, error: Error): void {
    const call = this.#pending.take(seq);
    if (call === undefined) return;
    this.#abandoned++;
    call.release();
    call.settle(true, error);
  }

  #breakConnection(cause: Error): void {
    if (this.#broken) return;
    this.#broken = true;
    this.#closeCause = cause;
    this.#deadlines.stop();
    const pending = this.#pending.takeAll();
    // An oversized reply and a refused codec keep their own codes: the caller learns what to change.
    const kept =
      cause instanceof FrameTooLargeError ||
      cause instanceof CodecRefusedError ||
      (cause instanceof ProtocolError &&
        (cause.code === 'ERR_BAD_FRAME' || cause.code === 'ERR_BAD_HANDSHAKE'))
        ? cause
        : undefined;
    const detail =
      this.#awaitingFirstBytes && pending.length > 0
        ? `${cause.message}; nothing was answered on it: a GeeRPC server closes so when it does not accept codec ${this.#codec}`
        : cause.message;
    for (const call of pending) {
      call.release();
      call.settle(true, kept ?? new ConnectionClosedError(detail, { cause }));
    }
    if (!this.#socket.destroyed && !this.#closing) this.#socket.destroy();
    for (const listener of this.#closeListeners) listener(cause);
    this.#closeListeners.clear();
  }
}

/** Sends a TCP reset, so that the server stops the handlers; other sockets have no reset. */
function resetOrDestroy(socket: Socket): void {
  try {
    socket.resetAndDestroy();
  } catch {
    socket.destroy();
  }
}

const REFUSAL_PREFIX = Buffer.from('rpc server: ');
/** How an HTTP server answers anything, a GeeRPC handshake included. */
const HTTP_PREFIX = Buffer.from('HTTP/');
/** How much of a peer's status line the error quotes. */
const MAX_QUOTED_CHARS = 80;

/**
 * A web server (or GeeRPC's HTTP endpoint) was dialled as a plain GeeRPC server: its status line,
 * quoted with every control character escaped, and the address form that speaks GeeRPC over HTTP.
 */
function httpAnswer(chunk: Buffer): ProtocolError {
  const end = chunk.indexOf(0x0d);
  const statusLine = chunk.toString('latin1', 0, Math.min(end === -1 ? chunk.length : end, MAX_QUOTED_CHARS));
  return new ProtocolError(
    'ERR_BAD_HANDSHAKE',
    `rpc client: the server answered with HTTP (${JSON.stringify(statusLine)}), not GeeRPC; for GeeRPC over HTTP use http@host:port`,
  );
}

/**
 * rpcbench's server answers a handshake it refuses with one line of text, `rpc server: …`, before
 * it closes; no codec's first reply begins so. Returns the error to fail the calls with, if it is one.
 */
function refusalIn(chunk: Buffer, codec: CodecName): Error | undefined {
  if (chunk.subarray(0, HTTP_PREFIX.length).equals(HTTP_PREFIX)) return httpAnswer(chunk);
  if (
    chunk.length < REFUSAL_PREFIX.length ||
    !chunk.subarray(0, REFUSAL_PREFIX.length).equals(REFUSAL_PREFIX)
  ) {
    return undefined;
  }
  const end = chunk.indexOf(0x0a);
  const message = chunk.toString('utf8', 0, end === -1 ? Math.min(chunk.length, 512) : end);
  return message.includes('codec')
    ? new CodecRefusedError(codec, message)
    : new ProtocolError('ERR_BAD_HANDSHAKE', `rpc client: the server refused the handshake (${message})`);
}
