import type { Socket } from 'node:net';
import type { CodecName } from '../codec/codec.ts';
import { ProtocolError } from '../errors.ts';
import {
  endsWithNewline,
  findHandshakeEnd,
  type Handshake,
  MAX_HANDSHAKE_BYTES,
  parseHandshake,
} from '../handshake.ts';
import { findHeadEnd, httpResponse, MAX_HTTP_HEAD_BYTES, startLine } from '../http-head.ts';

/** What the opening of a connection needs from its server. */
export interface OpeningHost {
  readonly codecs: readonly CodecName[];
  readonly rpcPaths: readonly string[];
  debugPage(): string;
}

/** Where the opening stands after the bytes read so far. */
export type OpeningStep =
  | { readonly kind: 'waiting' }
  /** An HTTP request other than CONNECT, answered: the socket is ending. */
  | { readonly kind: 'answered' }
  /** The handshake is read: `rest` holds the first bytes of the frames that follow it. */
  | {
      readonly kind: 'opened';
      readonly handshake: Handshake;
      readonly rest: Buffer;
      /** The handshake ended at its brace: a newline after it may still arrive, as the codec's first byte. */
      readonly newlineMayFollow: boolean;
    };

const WAITING: OpeningStep = Object.freeze({ kind: 'waiting' });
const ANSWERED: OpeningStep = Object.freeze({ kind: 'answered' });
const CONNECTED = 'HTTP/1.0 200 Connected to Gee RPC\n\n';

/**
 * The start of one accepted socket, up to its first frame: an optional HTTP CONNECT (or a GET of
 * the debug page), then the option handshake. Throws a ProtocolError for anything malformed.
 */
export class ConnectionOpening {
  readonly #socket: Socket;
  readonly #host: OpeningHost;
  #stage: 'http' | 'handshake';
  #pending: Buffer = Buffer.alloc(0);

  constructor(socket: Socket, host: OpeningHost, transport: 'http' | 'stream') {
    this.#socket = socket;
    this.#host = host;
    this.#stage = transport === 'http' ? 'http' : 'handshake';
  }

  /** Reading the option handshake: a refusal then gets one line telling why. */
  get readingHandshake(): boolean {
    return this.#stage === 'handshake';
  }

  push(chunk: Buffer): OpeningStep {
    this.#pending = this.#pending.length === 0 ? chunk : Buffer.concat([this.#pending, chunk]);
    if (this.#stage === 'http') {
      const step = this.#readHttpHead();
      if (step !== undefined) return step;
    }
    return this.#readHandshake();
  }

  /** Undefined once the socket has become an RPC stream. */
  #readHttpHead(): OpeningStep | undefined {
    const end = findHeadEnd(this.#pending);
    if (end === -1) {
      if (this.#pending.length > MAX_HTTP_HEAD_BYTES) {
        throw new ProtocolError(
          'ERR_BAD_HANDSHAKE',
          `rpc server: HTTP head longer than ${MAX_HTTP_HEAD_BYTES} bytes`,
        );
      }
      return WAITING;
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
      this.#stage = 'handshake';
      return undefined;
    }
    if (method === 'GET' && target === '/debug/geerpc') {
      this.#socket.end(httpResponse('200 OK', 'text/html; charset=utf-8', this.#host.debugPage()));
    } else {
      this.#socket.end(
        httpResponse('405 Method Not Allowed', 'text/plain; charset=utf-8', '405 must CONNECT\n'),
      );
    }
    return ANSWERED;
  }

  #readHandshake(): OpeningStep {
    const end = findHandshakeEnd(this.#pending);
    if (end === -1 ? this.#pending.length > MAX_HANDSHAKE_BYTES : end > MAX_HANDSHAKE_BYTES) {
      throw new ProtocolError(
        'ERR_BAD_HANDSHAKE',
        `rpc server: handshake longer than ${MAX_HANDSHAKE_BYTES} bytes`,
      );
    }
    if (end === -1) return WAITING;
    const handshake = parseHandshake(this.#pending.subarray(0, end), this.#host.codecs);
    const newlineMayFollow = !endsWithNewline(this.#pending, end);
    const rest = this.#pending.subarray(end);
    this.#pending = Buffer.alloc(0);
    return { kind: 'opened', handshake, rest, newlineMayFollow };
  }
}
