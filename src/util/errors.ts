/**
 * Every code the project's errors carry, in one list: a code is matched by callers, tests and
 * result files, so a misspelt one must not compile. The classes live with their concepts.
 */
export const ERROR_CODES = [
  // rpc: the wire protocol, client and server
  'ERR_CONN_CLOSED',
  'ERR_CLIENT_CLOSED',
  'ERR_CALL_TIMEOUT',
  'ERR_CALL_ABORTED',
  'ERR_SEND_BUFFER_FULL',
  'ERR_CONNECT_TIMEOUT',
  'ERR_DIAL_FAILED',
  'ERR_REMOTE',
  'ERR_INVALID_ADDRESS',
  'ERR_FRAME_TOO_LARGE',
  'ERR_ENCODE',
  'ERR_BAD_HANDSHAKE',
  'ERR_BAD_MAGIC',
  'ERR_UNKNOWN_CODEC',
  'ERR_CODEC_REFUSED',
  'ERR_HANDSHAKE_TIMEOUT',
  'ERR_BAD_FRAME',
  'ERR_HANDLE_TIMEOUT',
  'ERR_IDLE_TIMEOUT',
  'ERR_FRAME_TIMEOUT',
  'ERR_TOO_MANY_CONNECTIONS',
  'ERR_INVALID_ARGUMENT',
  // rpc: the gob codec
  'ERR_GOB_UNSUPPORTED_VALUE',
  'ERR_GOB_INVALID_TYPE',
  'ERR_GOB_FRAME_TOO_LARGE',
  'ERR_GOB_BAD_STREAM',
  'ERR_GOB_UNSUPPORTED_TYPE',
  'ERR_GOB_INVALID_OPTION',
  'ERR_GOB_BUDGET_EXCEEDED',
  // rpc: Go types read from Go source
  'ERR_GO_TYPES',
  'ERR_GO_VALUE',
  // registry and etcd
  'ERR_REGISTRY_UNAVAILABLE',
  'ERR_REGISTRY_REFUSED',
  'ERR_REGISTRY_FULL',
  'ERR_ETCD_UNAVAILABLE',
  // xclient
  'ERR_NO_SERVERS',
  'ERR_UNSUPPORTED_MODE',
  'ERR_MISSING_KEY',
  'ERR_XCLIENT_CLOSED',
  'ERR_CLOSE_FAILED',
  // scenario and result
  'ERR_INVALID_SCENARIO',
  'ERR_BAD_THRESHOLD',
  'ERR_INVALID_RESULT',
  // harness
  'ERR_HARNESS_WORKER',
  'ERR_SERVER_THREAD',
  'ERR_RECORDER_RELEASED',
  'ERR_INJECTED',
  'ERR_DROPPED',
  'ERR_UNKNOWN',
  'ERR_CHECK',
  'ERR_ARGS',
  'ERR_TARGET',
  'ERR_METRICS_LISTEN',
  'ERR_AGENT',
  // gate
  'ERR_GATE_MEASUREMENT',
  'ERR_GATE_CONFIG',
  'ERR_BASELINE_MISSING',
  'ERR_BASELINE_INVALID',
  'ERR_BASELINE_SCHEMA',
  'ERR_BASELINE_SCENARIOS',
  // report and cli
  'ERR_BAD_HISTOGRAM',
  'ERR_CLI_USAGE',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

const KNOWN_CODES: ReadonlySet<string> = new Set(ERROR_CODES);

/**
 * Every failure the project reports is an RpcError with a stable `code`.
 * Callers match the code, never the wording: the wording is for people.
 */
export class RpcError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** Whether `code` is one of the project's own codes (Node's `ERR_INVALID_ARG_TYPE` is not). */
export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && KNOWN_CODES.has(code);
}

/**
 * Errors cross worker threads as plain objects without their class, so a project error is
 * recognised by its class or by a code from the project's own list; Node's errors never pass.
 */
export function isRpcError(error: unknown, code?: ErrorCode): error is RpcError {
  if (error === null || typeof error !== 'object') return false;
  const candidate = (error as { code?: unknown }).code;
  if (!(error instanceof RpcError) && !isErrorCode(candidate)) return false;
  return code === undefined || candidate === code;
}

/** A caller passed an option or argument that breaks a documented rule. */
export class InvalidArgumentError extends RpcError {
  constructor(message: string) {
    super('ERR_INVALID_ARGUMENT', message);
  }
}
