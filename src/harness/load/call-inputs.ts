import { readFile, stat } from 'node:fs/promises';
import type { PhaseCall } from '../../scenario/rpc-setup.ts';
import { loadScenario } from '../../scenario/scenario-loader.ts';
import type { ArgsFunction, CheckFunction } from '../../scenario/target-schema.ts';
import { CallArgumentsError } from '../errors.ts';

/** The most lines an argsFile may hold: it is read into every load thread. */
export const MAX_ARGS_FILE_LINES = 1_000_000;
/** The largest argsFile read: every load thread holds its values. */
export const MAX_ARGS_FILE_BYTES = 256 * 1024 * 1024;
/** The longest line: one call's arguments, which must fit a frame (16 MiB by default) anyway. */
export const MAX_ARGS_FILE_LINE_CHARS = 16 * 1024 * 1024;

/** What a load thread sends with each call, and how it checks the reply. */
export interface CallInputs {
  method: string;
  /** The arguments of every call when `argsAt` is undefined: built once, so that no call allocates its own. */
  args: unknown;
  /** The arguments of this thread's call number `i` (from 0). */
  argsAt: ((i: number) => unknown) | undefined;
  /** true when the reply is right; false or a reason when not. Never throws. */
  check: ((reply: unknown, args: unknown) => true | string) | undefined;
}

/**
 * The call's inputs in a load thread: plain arguments as given, an argsFile read once, or the
 * scenario module's `call.args` and `call.check` imported here (functions do not cross threads).
 * `random` is the thread's seeded generator, passed to an args function.
 */
export async function prepareCallInputs(call: PhaseCall, random: () => number): Promise<CallInputs> {
  let args: unknown = call.args;
  let argsAt: CallInputs['argsAt'];
  let check: CallInputs['check'];
  if (call.module !== undefined) {
    const fromModule = (await loadScenario(call.module)).scenario.call;
    if (call.argsFile === undefined) args = fromModule?.args;
    if (typeof args === 'function') argsAt = generatedArgs(args as ArgsFunction, random);
    if (fromModule?.check !== undefined) check = safeCheck(fromModule.check);
  }
  if (call.argsFile !== undefined) {
    const values = await readArgsFile(call.argsFile);
    argsAt = (i) => values[i % values.length];
  }
  return { method: call.method, args, argsAt, check };
}

function generatedArgs(generate: ArgsFunction, random: () => number): (i: number) => unknown {
  return (i) => {
    try {
      return generate(i, random);
    } catch (error) {
      throw new CallArgumentsError(`call.args(${i}) threw: ${(error as Error)?.message ?? String(error)}`, {
        cause: error,
      });
    }
  };
}

function safeCheck(check: CheckFunction): NonNullable<CallInputs['check']> {
  return (reply, args) => {
    let verdict: boolean | string;
    try {
      verdict = check(reply, args);
    } catch (error) {
      return `call.check threw: ${(error as Error)?.message ?? String(error)}`;
    }
    if (verdict === true) return true;
    return typeof verdict === 'string' && verdict !== '' ? verdict : 'call.check returned false';
  };
}

/** One JSON value per non-blank line. */
async function readArgsFile(path: string): Promise<unknown[]> {
  let text: string;
  try {
    // Sized before it is read: a file of one endless line must not be read to find out.
    const { size } = await stat(path);
    if (size > MAX_ARGS_FILE_BYTES) {
      throw new CallArgumentsError(
        `call.argsFile ${path}: ${size} bytes, more than the ${MAX_ARGS_FILE_BYTES} an argsFile may hold`,
      );
    }
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (error instanceof CallArgumentsError) throw error;
    throw new CallArgumentsError(`call.argsFile ${path}: cannot be read: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const values: unknown[] = [];
  const lines = text.split('\n');
  for (const [index, line] of lines.entries()) {
    if (line.length > MAX_ARGS_FILE_LINE_CHARS) {
      throw new CallArgumentsError(
        `call.argsFile ${path}:${index + 1}: a line of ${line.length} characters, more than ${MAX_ARGS_FILE_LINE_CHARS}`,
      );
    }
    if (line.trim() === '') continue;
    if (values.length >= MAX_ARGS_FILE_LINES) {
      throw new CallArgumentsError(`call.argsFile ${path}: more than ${MAX_ARGS_FILE_LINES} lines`);
    }
    try {
      values.push(JSON.parse(line));
    } catch (error) {
      throw new CallArgumentsError(
        `call.argsFile ${path}:${index + 1}: not JSON: ${(error as Error).message}`,
        { cause: error },
      );
    }
  }
  if (values.length === 0) throw new CallArgumentsError(`call.argsFile ${path}: holds no JSON value`);
  return values;
}
