import { RpcError } from '../util/errors.ts';

/** An `encoded` histogram in a result that hdr-histogram-js cannot decode. */
export class HistogramDecodeError extends RpcError {
  readonly fieldPath: string;

  constructor(fieldPath: string, reason: string, options?: ErrorOptions) {
    super('ERR_BAD_HISTOGRAM', `${fieldPath}: not a valid HdrHistogram (${reason})`, options);
    this.fieldPath = fieldPath;
  }
}
