import { type ErrorCode, RpcError } from '../../util/errors.ts';

/** Every failure of the gob module carries one of these codes: match the code, never the wording. */
export type GobErrorCode = Extract<ErrorCode, `ERR_GOB_${string}`>;

export class GobError extends RpcError {
  declare readonly code: GobErrorCode;

  constructor(code: GobErrorCode, message: string, options?: ErrorOptions) {
    super(code, message, options);
  }
}

/**
 * A JavaScript value gob cannot carry as the Go type asked for: a function, a mixed-type array,
 * a fraction for an int, a value out of range... `path` names where in the value, as
 * `Args.Items[3].Name`.
 */
export class GobValueError extends GobError {
  readonly path: string;
  readonly reason: string;

  constructor(path: string, reason: string) {
    super('ERR_GOB_UNSUPPORTED_VALUE', `gob: cannot encode ${path}: ${reason}`);
    this.path = path;
    this.reason = reason;
  }
}

/** A type hint that does not describe a Go type gob can send: a field name Go would not export, a duplicate field... */
export class GobInvalidTypeError extends GobError {
  constructor(message: string) {
    super('ERR_GOB_INVALID_TYPE', `gob: invalid type: ${message}`);
  }
}

/** A message declares more bytes than `maxMessageBytes`: the stream cannot be trusted past that point. */
export class GobFrameTooLargeError extends GobError {
  readonly declaredBytes: number;
  readonly maxMessageBytes: number;

  constructor(declaredBytes: number, maxMessageBytes: number) {
    const size = Number.isSafeInteger(declaredBytes) ? `${declaredBytes} bytes` : 'more than 2^53 bytes';
    super(
      'ERR_GOB_FRAME_TOO_LARGE',
      `gob: message of ${size} exceeds the limit of ${maxMessageBytes} bytes (maxMessageBytes)`,
    );
    this.declaredBytes = declaredBytes;
    this.maxMessageBytes = maxMessageBytes;
  }
}

/**
 * The stream broke gob's framing or sent a type definition that does not parse. Later values
 * may refer to that type, so the stream cannot go on.
 */
export class GobStreamError extends GobError {
  constructor(message: string, options?: ErrorOptions) {
    super('ERR_GOB_BAD_STREAM', `gob: corrupt stream: ${message}`, options);
  }
}

/**
 * The stream carries something this module does not decode and cannot step over safely: a
 * non-nil interface value (it may define types inside itself, which later values would use).
 */
export class GobUnsupportedTypeError extends GobError {
  constructor(message: string) {
    super('ERR_GOB_UNSUPPORTED_TYPE', `gob: unsupported: ${message}`);
  }
}

/**
 * A peer's type definitions or a message would make the decoder hold more than its budget: more
 * elements than the message's bytes allow, more types or fields than a connection may define.
 * A peer sending so is not to be trusted further: the stream stops.
 */
export class GobBudgetError extends GobError {
  constructor(message: string) {
    super('ERR_GOB_BUDGET_EXCEEDED', `gob: over budget: ${message}`);
  }
}

/** An option given to the encoder or decoder is out of its range. */
export class GobInvalidOptionError extends GobError {
  constructor(message: string) {
    super('ERR_GOB_INVALID_OPTION', `gob: ${message}`);
  }
}
