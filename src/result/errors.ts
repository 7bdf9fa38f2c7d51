import { RpcError } from '../util/errors.ts';

/** A result file that cannot be read, is not JSON, or does not match the result schema. */
export class InvalidResultError extends RpcError {
  readonly file: string;

  constructor(file: string, detail: string, options?: ErrorOptions) {
    super('ERR_INVALID_RESULT', `${file}: ${detail}`, options);
    this.file = file;
  }
}
