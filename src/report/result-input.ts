import { InvalidResultError } from '../result/errors.ts';
import { readResult } from '../result/result-file.ts';
import type { RunResult } from '../result/result-schema.ts';
import { decodeHistogram } from './percentile-curve.ts';

/** Every encoded histogram must decode, or the page could not draw it. */
function checkHistograms(result: RunResult, file: string): void {
  const histograms: [string, string][] = [];
  result.phases.forEach((phase, p) => {
    histograms.push([`phases[${p}].latency.encoded`, phase.latency.encoded]);
    phase.servers.forEach((server, s) => {
      histograms.push([`phases[${p}].servers[${s}].latency.encoded`, server.latency.encoded]);
    });
  });
  for (const [path, encoded] of histograms) {
    try {
      decodeHistogram(encoded, path);
    } catch (error) {
      throw new InvalidResultError(file, (error as Error).message, { cause: error });
    }
  }
}

/**
 * Reads a result file (readResult: InvalidResultError naming the file and the fields when it is
 * not a valid result), then checks that every histogram in it decodes.
 */
export async function readResultFile(file: string): Promise<RunResult> {
  const result = await readResult(file);
  checkHistograms(result, file);
  return result;
}
