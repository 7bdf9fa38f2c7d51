import { access } from 'node:fs/promises';
import { isAbsolute, relative, resolve } from 'node:path';
import type { z } from 'zod';
import { ScenarioError } from './errors.ts';
import { type ResolvedScenario, scenarioSchema } from './scenario-schema.ts';
import { importUserModule } from './user-module.ts';

/** A validated scenario and the file it came from. */
export interface LoadedScenario {
  /** The file as it is shown in messages and results: relative to the working directory when inside it. */
  file: string;
  scenario: ResolvedScenario;
}

/**
 * Imports a scenario module and validates its default export. Throws ScenarioError (code
 * ERR_INVALID_SCENARIO) whose message names the file and the field, e.g.
 * `scenarios/x.ts: servers.count: must be a positive integer`.
 */
export async function loadScenario(file: string): Promise<LoadedScenario> {
  const absolute = resolve(file);
  const shown = displayPath(absolute);
  try {
    await access(absolute);
  } catch {
    throw new ScenarioError(shown, null, 'file not found');
  }
  let module: { default?: unknown };
  try {
    module = await importUserModule(absolute);
  } catch (error) {
    throw new ScenarioError(shown, null, `cannot be loaded: ${loadFailure(error, absolute, shown)}`, {
      cause: error,
    });
  }
  if (module.default === undefined) {
    throw new ScenarioError(
      shown,
      'default',
      'no default export: write `export default defineScenario({ ... })`',
    );
  }
  return { file: shown, scenario: validateScenario(module.default, shown) };
}

/** Validates a scenario object as loadScenario does; `file` is only used in messages. */
export function validateScenario(input: unknown, file: string): ResolvedScenario {
  const parsed = scenarioSchema.safeParse(input, { reportInput: true });
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.flatMap(describeIssue);
  const [first = { field: '(scenario)', reason: 'is invalid' }, ...rest] = problems;
  // One line per problem, each naming the file and the field.
  const reason = [
    first.reason,
    ...rest.map((problem) => `${file}: ${problem.field}: ${problem.reason}`),
  ].join('\n');
  throw new ScenarioError(file, first.field, reason, { cause: parsed.error });
}

function describeIssue(issue: z.core.$ZodIssue): { field: string; reason: string }[] {
  const path = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({ field: path ? `${path}.${key}` : key, reason: 'unknown field' }));
  }
  if (issue.code === 'invalid_key') {
    // The key's own rule says what is wrong with it; zod's outer message only says "Invalid key".
    const reason = issue.issues[0]?.message ?? `invalid key ${JSON.stringify(issue.input)}`;
    return [{ field: path || '(scenario)', reason }];
  }
  if (issue.code === 'invalid_type' && path === '') {
    return [{ field: 'default', reason: 'the default export must be an object: defineScenario({ ... })' }];
  }
  if (issue.code === 'invalid_type' && issue.input === undefined) {
    return [{ field: path || '(scenario)', reason: 'is required' }];
  }
  return [{ field: path || '(scenario)', reason: issue.message }];
}

function displayPath(absolute: string): string {
  const fromCwd = relative(process.cwd(), absolute);
  return fromCwd.startsWith('..') || isAbsolute(fromCwd) ? absolute : fromCwd;
}

/** esbuild's (tsx's) line for each syntax error: `<file>:<line>:<column>: ERROR: <reason>`. */
const SYNTAX_ERROR_LINE = /^(.*):(\d+):(\d+): ERROR: (.*)$/;

/**
 * Why a module could not be imported, in one line. A syntax error is told by the compiler as
 * `Transform failed with 1 error:` and a line per error: those name the place and the reason, with
 * the file as the user gave it.
 */
function loadFailure(error: unknown, absolute: string, shown: string): string {
  const text = error instanceof Error ? error.message : String(error);
  const syntax = text
    .split('\n')
    .map((line) => SYNTAX_ERROR_LINE.exec(line))
    .filter((match) => match !== null)
    .map(([, file, line, column, reason]) => {
      const where = resolve(file!) === absolute ? shown : file!;
      return `syntax error at ${where}:${line}:${column}: ${reason}`;
    });
  if (syntax.length > 0) return syntax.join('; ');
  return text.split('\n').find((line) => line.trim() !== '') ?? text;
}
