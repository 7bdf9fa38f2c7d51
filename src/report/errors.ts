import { RpcError } from '../util/errors.ts';

/** An `encoded` histogram in a result that hdr-histogram-js cannot decode. */
export class HistogramDecodeError extends RpcError {
  readonly fieldPath: string;
  /** The result file, when the histogram was read from one; the message then starts with it. */
  readonly file: string | null;

  constructor(fieldPath: string, reason: string, options?: ErrorOptions & { file?: string }) {
    const where = options?.file === undefined ? fieldPath : `${options.file}: ${fieldPath}`;
    super('ERR_BAD_HISTOGRAM', `${where}: not a valid HdrHistogram (${reason})`, options);
    this.fieldPath = fieldPath;
    this.file = options?.file ?? null;
  }
}
