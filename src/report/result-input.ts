import { readFile } from 'node:fs/promises';
import { type RunResult, runResultSchema } from '../harness/result-schema.ts';
import { decodeHistogram } from './percentile-curve.ts';
import { InvalidResultError } from './report-errors.ts';

/** How many schema problems a message lists before it says how many more there are. */
const MAX_LISTED_ISSUES = 5;

function fieldPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const key of path) text += typeof key === 'number' ? `[${key}]` : `${text ? '.' : ''}${String(key)}`;
  return text || '(top level)';
}

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
 * Reads a result file and checks it against the result schema. Throws InvalidResultError
 * (code ERR_INVALID_RESULT) naming the file, and the fields, when it is not a valid result.
 */
export async function readResultFile(file: string): Promise<RunResult> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new InvalidResultError(file, `cannot be read (${(error as NodeJS.ErrnoException).code ?? error})`, {
      cause: error,
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new InvalidResultError(file, `is not JSON (${(error as Error).message})`, { cause: error });
  }
  const parsed = runResultSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues;
    const listed = issues
      .slice(0, MAX_LISTED_ISSUES)
      .map((issue) => `${fieldPath(issue.path)}: ${issue.message}`);
    const more = issues.length > MAX_LISTED_ISSUES ? `; and ${issues.length - MAX_LISTED_ISSUES} more` : '';
    throw new InvalidResultError(file, `not an rpcbench result: ${listed.join('; ')}${more}`);
  }
  checkHistograms(parsed.data, file);
  return parsed.data;
}
