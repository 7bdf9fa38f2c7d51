import { RpcError } from '../util/errors.ts';

/** A gate measurement could not be taken: calls failed, or a workload did not start. */
export class GateMeasurementError extends RpcError {
  constructor(message: string, options?: ErrorOptions) {
    super('ERR_GATE_MEASUREMENT', message, options);
  }
}

/** The gate was asked for something it cannot do, such as two scenario files with one name. */
export class GateConfigError extends RpcError {
  constructor(message: string) {
    super('ERR_GATE_CONFIG', message);
  }
}

export type GateBaselineErrorCode =
  | 'ERR_BASELINE_MISSING'
  | 'ERR_BASELINE_INVALID'
  | 'ERR_BASELINE_SCHEMA'
  | 'ERR_BASELINE_SCENARIOS';

/**
 * The baseline cannot be compared with: missing, unreadable, written in another format or against
 * another reference, or for another set of scenarios. The message says what to run to fix it.
 */
export class GateBaselineError extends RpcError {
  override readonly code: GateBaselineErrorCode;

  constructor(code: GateBaselineErrorCode, message: string, options?: ErrorOptions) {
    super(code, message, options);
    this.code = code;
  }
}
