import { readResult } from '../result/result-file.ts';
import type { RunResult } from '../result/result-schema.ts';
import { HistogramDecodeError } from './errors.ts';
import { decodeHistogram } from './percentile-curve.ts';

/**
 * Every encoded histogram must decode within bounds (percentile-curve.ts: decodeHistogram) and
 * hold as many values as its summary says, or the page could not draw it, or would draw
 * something other than the summary. Throws HistogramDecodeError (ERR_BAD_HISTOGRAM) naming the
 * file and the field.
 */
function checkHistograms(result: RunResult, file: string): void {
  const histograms: [string, { encoded: string; summary: { count: number } }][] = [];
  result.phases.forEach((phase, p) => {
    histograms.push([`phases[${p}].latency.encoded`, phase.latency]);
    phase.servers.forEach((server, s) => {
      histograms.push([`phases[${p}].servers[${s}].latency.encoded`, server.latency]);
    });
  });
  for (const [path, record] of histograms) {
    let totalCount: number;
    try {
      totalCount = decodeHistogram(record.encoded, path).totalCount;
    } catch (error) {
      const reason = error instanceof HistogramDecodeError ? innerReason(error) : (error as Error).message;
      throw new HistogramDecodeError(path, reason, { file, cause: error });
    }
    if (totalCount !== record.summary.count) {
      throw new HistogramDecodeError(
        path,
        `total count ${totalCount} differs from summary.count ${record.summary.count}`,
        { file },
      );
    }
  }
}

/** The reason inside `field: not a valid HdrHistogram (reason)`. */
function innerReason(error: HistogramDecodeError): string {
  const prefix = `${error.fieldPath}: not a valid HdrHistogram (`;
  return error.message.startsWith(prefix) ? error.message.slice(prefix.length, -1) : error.message;
}

/**
 * Reads a result file (readResult: InvalidResultError naming the file and the fields when it is
 * not a valid result), then checks that every histogram in it decodes within bounds and agrees
 * with its summary's count (HistogramDecodeError naming the file and the field).
 */
export async function readResultFile(file: string): Promise<RunResult> {
  const result = await readResult(file);
  checkHistograms(result, file);
  return result;
}
