import { RpcError } from '../rpc/errors.ts';

/** A result file that cannot be read, is not JSON, or does not match the result schema. */
export class InvalidResultError extends RpcError {
  readonly file: string;

  constructor(file: string, detail: string, options?: ErrorOptions) {
    super('ERR_INVALID_RESULT', `${file}: ${detail}`, options);
    this.file = file;
  }
}

/** An `encoded` histogram in a result that hdr-histogram-js cannot decode. */
export class HistogramDecodeError extends RpcError {
  readonly fieldPath: string;

  constructor(fieldPath: string, reason: string, options?: ErrorOptions) {
    super('ERR_BAD_HISTOGRAM', `${fieldPath}: not a valid HdrHistogram (${reason})`, options);
    this.fieldPath = fieldPath;
  }
}
