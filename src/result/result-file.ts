import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidResultError } from './errors.ts';
import { type RunResult, runResultSchema } from './result-schema.ts';

/**
 * Writes the result as `<scenario-name>-<timestamp>.json` in `outDir` (created if needed) and
 * returns its path. An existing file is never overwritten: a numbered suffix is added.
 */
export async function writeResult(result: RunResult, outDir: string): Promise<string> {
  await mkdir(outDir, { recursive: true });
  const stamp = result.startedAt.replace(/[:.]/g, '-');
  const text = `${JSON.stringify(result, null, 2)}\n`;
  for (let attempt = 0; ; attempt++) {
    const path = join(outDir, `${result.scenario.name}-${stamp}${attempt === 0 ? '' : `-${attempt}`}.json`);
    try {
      await writeFile(path, text, { flag: 'wx' });
      return path;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}

/** How many schema problems a message lists before it says how many more there are. */
const MAX_LISTED_ISSUES = 5;

function fieldPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const key of path) text += typeof key === 'number' ? `[${key}]` : `${text ? '.' : ''}${String(key)}`;
  return text || '(top level)';
}

/**
 * Reads a result file and checks it against the result schema. Throws InvalidResultError
 * (code ERR_INVALID_RESULT) naming the file, and the fields, when it is not a valid result.
 */
export async function readResult(file: string): Promise<RunResult> {
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
  return parsed.data;
}
