import { isRpcError, RpcError } from '../util/errors.ts';

/** The connection broke or was closed while the call was pending, or before it was sent. */
export class ConnectionClosedError extends RpcError {
  constructor(detail?: string, options?: ErrorOptions) {
    super('ERR_CONN_CLOSED', `rpc client: connection is shut down${detail ? ` (${detail})` : ''}`, options);
  }
}

/** `call()` on a client after `close()`. */
export class ClientClosedError extends RpcError {
  constructor() {
    super('ERR_CLIENT_CLOSED', 'rpc client: client is closed');
  }
}

export class CallTimeoutError extends RpcError {
  constructor(serviceMethod: string, timeoutMs: number) {
    super('ERR_CALL_TIMEOUT', `rpc client: call ${serviceMethod} failed: no reply within ${timeoutMs} ms`);
  }
}

/** The socket already holds more unsent bytes than maxSendBufferBytes: the server is not reading. */
export class SendBufferFullError extends RpcError {
  constructor(serviceMethod: string, limitBytes: number) {
    super(
      'ERR_SEND_BUFFER_FULL',
      `rpc client: call ${serviceMethod} not sent: over ${limitBytes} bytes wait in the socket unsent (maxSendBufferBytes); the server is not reading`,
    );
  }
}

export class CallAbortedError extends RpcError {
  constructor(serviceMethod: string, reason?: unknown) {
    super('ERR_CALL_ABORTED', `rpc client: call ${serviceMethod} aborted`, { cause: reason });
  }
}

export class ConnectTimeoutError extends RpcError {
  constructor(address: string, timeoutMs: number) {
    super(
      'ERR_CONNECT_TIMEOUT',
      `rpc client: connect timeout: ${address} not reached within ${timeoutMs} ms`,
    );
  }
}

/** The transport could not be opened: refused, unreachable, bad CONNECT answer. */
export class DialError extends RpcError {
  constructor(address: string, reason: string, options?: ErrorOptions) {
    super('ERR_DIAL_FAILED', `rpc client: cannot dial ${address}: ${reason}`, options);
  }
}

/** The server answered the call with an error string in the reply header. */
export class RemoteError extends RpcError {
  readonly serviceMethod: string;
  constructor(serviceMethod: string, remoteMessage: string) {
    super('ERR_REMOTE', remoteMessage);
    this.serviceMethod = serviceMethod;
  }
}

export class InvalidAddressError extends RpcError {
  constructor(address: string, reason: string) {
    super('ERR_INVALID_ADDRESS', `invalid address "${address}": ${reason}`);
  }
}

export class FrameTooLargeError extends RpcError {
  constructor(sizeBytes: number, maxFrameBytes: number) {
    super(
      'ERR_FRAME_TOO_LARGE',
      `frame of ${sizeBytes} bytes exceeds the limit of ${maxFrameBytes} bytes (maxFrameBytes)`,
    );
  }
}

/** A call's arguments or reply cannot be expressed in the connection's codec (a BigInt in JSON, a cycle). */
export class EncodeError extends RpcError {
  constructor(side: 'rpc client' | 'rpc server', what: string, options?: ErrorOptions) {
    const detail = options?.cause instanceof Error ? `: ${options.cause.message}` : '';
    super('ERR_ENCODE', `${side}: cannot encode ${what}${detail}`, options);
  }
}

/** The server answered the handshake by refusing the client's codec, and closed the connection. */
export class CodecRefusedError extends RpcError {
  readonly codec: string;
  constructor(codec: string, serverMessage: string) {
    super('ERR_CODEC_REFUSED', `rpc client: the server refused codec ${codec} (${serverMessage})`);
    this.codec = codec;
  }
}

/** The peer broke the protocol: bad handshake, wrong magic number, unknown codec, undecodable frame. */
export class ProtocolError extends RpcError {
  constructor(code: ProtocolErrorCode, message: string, options?: ErrorOptions) {
    super(code, message, options);
  }
}

export type ProtocolErrorCode =
  | 'ERR_BAD_HANDSHAKE'
  | 'ERR_BAD_MAGIC'
  | 'ERR_UNKNOWN_CODEC'
  | 'ERR_HANDSHAKE_TIMEOUT'
  | 'ERR_BAD_FRAME';

/** Transport failures may be retried on another server; answers from the application may not. */
export function isTransportError(error: unknown): boolean {
  return (
    isRpcError(error) &&
    (error.code === 'ERR_CONN_CLOSED' ||
      error.code === 'ERR_DIAL_FAILED' ||
      error.code === 'ERR_CONNECT_TIMEOUT' ||
      error.code === 'ERR_FRAME_TOO_LARGE')
  );
}
