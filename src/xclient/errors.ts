import { RpcError } from '../util/errors.ts';
import { SELECT_MODES } from './select-mode.ts';

/** The discovery knows no server to send the call to. */
export class NoServersError extends RpcError {
  constructor() {
    super('ERR_NO_SERVERS', 'rpc discovery: no available servers');
  }
}

export class UnsupportedModeError extends RpcError {
  readonly mode: string;
  constructor(mode: unknown) {
    super(
      'ERR_UNSUPPORTED_MODE',
      `rpc discovery: select mode "${String(mode)}" is not supported; use one of ${SELECT_MODES.join(', ')}`,
    );
    this.mode = String(mode);
  }
}

/** consistent-hash maps a key to a server: a call without one has nowhere to go. */
export class MissingKeyError extends RpcError {
  constructor() {
    super(
      'ERR_MISSING_KEY',
      'rpc discovery: select mode "consistent-hash" needs a key for every call: pass { key } to call()',
    );
  }
}

/** A call, broadcast or dial on an XClient after `close()`. */
export class XClientClosedError extends RpcError {
  constructor() {
    super('ERR_XCLIENT_CLOSED', 'rpc xclient: the xclient is closed');
  }
}

/** `close()` could not close every connection; `errors` holds each failure. */
export class CloseFailedError extends RpcError {
  readonly errors: readonly Error[];
  constructor(errors: readonly Error[]) {
    super(
      'ERR_CLOSE_FAILED',
      `rpc xclient: ${errors.length} connection(s) failed to close: ${errors.map((e) => e.message).join('; ')}`,
      { cause: errors[0] },
    );
    this.errors = errors;
  }
}

/**
 * Marks an error with the address of the server it came from, read-only, so that callers can
 * count failures per server. Errors that cannot take the property (frozen, primitives) are left as they are.
 */
export function withAddress<E>(error: E, address: string): E {
  if (error !== null && typeof error === 'object' && Object.isExtensible(error)) {
    if (!Object.hasOwn(error, 'address')) {
      Object.defineProperty(error, 'address', { value: address, enumerable: true, writable: false });
    }
  }
  return error;
}

/** The server address an XClient error carries, if any. */
export function addressOf(error: unknown): string | undefined {
  if (error === null || typeof error !== 'object') return undefined;
  const address = (error as { address?: unknown }).address;
  return typeof address === 'string' ? address : undefined;
}
