import { RpcError } from '../rpc/errors.ts';

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
