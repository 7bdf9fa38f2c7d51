import { RpcError } from '../util/errors.ts';

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
