import { RpcError } from '../rpc/errors.ts';

/** A scenario file that cannot be run: missing, not a module, no default export, or invalid fields. */
export class ScenarioError extends RpcError {
  /** The scenario file, as given. */
  readonly file: string;
  /** The offending field as a dotted path (`servers.count`), or null when the file itself is at fault. */
  readonly field: string | null;

  constructor(file: string, field: string | null, reason: string, options?: ErrorOptions) {
    super('ERR_INVALID_SCENARIO', `${file}: ${field === null ? '' : `${field}: `}${reason}`, options);
    this.file = file;
    this.field = field;
  }
}

/** A threshold string that does not follow `[phase:] metric op value[unit]`. */
export class ThresholdSyntaxError extends RpcError {
  readonly expression: string;

  constructor(expression: string, reason: string) {
    super('ERR_BAD_THRESHOLD', `threshold "${expression}": ${reason}`);
    this.expression = expression;
  }
}

/** The worker threads that host the servers or generate the load failed to start or answer. */
export class HarnessWorkerError extends RpcError {
  constructor(message: string, options?: ErrorOptions) {
    super('ERR_HARNESS_WORKER', message, options);
  }
}

/** A result file that cannot be read, is not JSON, or does not match the result schema. */
export class InvalidResultError extends RpcError {
  readonly file: string;

  constructor(file: string, detail: string, options?: ErrorOptions) {
    super('ERR_INVALID_RESULT', `${file}: ${detail}`, options);
    this.file = file;
  }
}

/**
 * The error a server returns on purpose (scenario `errorRate`). Its text reaches the client in the
 * reply header, so the client sees ERR_REMOTE; the text names the cause for whoever reads it.
 */
export const INJECTED_ERROR_TEXT = 'rpcbench: injected error (scenario errorRate)';

/** Open model: a call that was due while `maxInFlight` calls were pending, so never sent. */
export const DROPPED_CALL_CODE = 'ERR_DROPPED';
/** An error that carried no `code` field. */
export const UNKNOWN_ERROR_CODE = 'ERR_UNKNOWN';

/** Raised inside a simulated server for a call its `errorRate` picked to fail. */
export class InjectedError extends RpcError {
  constructor() {
    super('ERR_INJECTED', INJECTED_ERROR_TEXT);
  }
}
