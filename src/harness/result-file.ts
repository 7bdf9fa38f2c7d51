import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ResultFileError } from './errors.ts';
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

/** Reads and validates a result file; ResultFileError names the file and the first field that is wrong. */
export async function readResult(path: string): Promise<RunResult> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ResultFileError(path, `cannot be read: ${(error as Error).message}`, { cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ResultFileError(path, `is not JSON: ${(error as Error).message}`, { cause: error });
  }
  const parsed = runResultSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.map(String).join('.') || '(root)';
    throw new ResultFileError(path, `not an rpcbench result: ${field}: ${issue?.message ?? 'invalid'}`, {
      cause: parsed.error,
    });
  }
  return parsed.data;
}
