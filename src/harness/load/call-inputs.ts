import { readFile, stat } from 'node:fs/promises';
import { loadGoMethodTypes, toGoArgs } from '../../rpc/go-types/go-method.ts';
import { parseJsonKeepingIntegers } from '../../rpc/go-types/parse-json.ts';
import type { PhaseCall } from '../../scenario/phase-rpc-setup.ts';
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

/** Turns a value into what is sent: converted to the method's Go type when goTypes is given. */
type ToWire = (value: unknown, where: string) => unknown;

/**
 * The call's inputs in a load thread: plain arguments as given, an argsFile read once, or the
 * scenario module's `call.args` and `call.check` imported here (functions do not cross threads).
 * `random` is the thread's seeded generator, passed to an args function. With goTypes, plain
 * arguments and argsFile lines are converted here, once (one that does not fit fails before any
 * call), and an args function's values as they are made.
 */
export async function prepareCallInputs(call: PhaseCall, random: () => number): Promise<CallInputs> {
  const method = call.goTypes === undefined ? undefined : loadGoMethodTypes(call.goTypes, call.method);
  const toWire: ToWire =
    method === undefined ? (value) => value : (value, where) => toGoArgs(value, method, where);
  let args: unknown = call.args;
  let argsAt: CallInputs['argsAt'];
  let check: CallInputs['check'];
  if (call.module !== undefined) {
    const fromModule = (await loadScenario(call.module)).scenario.call;
    if (call.argsFile === undefined) args = fromModule?.args;
    if (typeof args === 'function') argsAt = generatedArgs(args as ArgsFunction, random, toWire);
    if (fromModule?.check !== undefined) check = safeCheck(fromModule.check);
  }
  if (call.argsFile !== undefined) {
    const file = call.argsFile;
    const values = (await readArgsFile(file, method !== undefined)).map(({ value, line }) =>
      toWire(value, `call.argsFile ${file}:${line}`),
    );
    argsAt = (i) => values[i % values.length];
  } else if (argsAt === undefined) {
    args = toWire(args, 'call.args');
  }
  return { method: call.method, args, argsAt, check };
}

function generatedArgs(generate: ArgsFunction, random: () => number, toWire: ToWire): (i: number) => unknown {
  return (i) => {
    let value: unknown;
    try {
      value = generate(i, random);
    } catch (error) {
      throw new CallArgumentsError(`call.args(${i}) threw: ${(error as Error)?.message ?? String(error)}`, {
        cause: error,
      });
    }
    try {
      return toWire(value, `call.args(${i})`);
    } catch (error) {
      throw new CallArgumentsError((error as Error).message, { cause: error });
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

/** One JSON value per non-blank line; with Go types, integers beyond 2^53 keep every digit. */
async function readArgsFile(
  path: string,
  exactIntegers: boolean,
): Promise<{ value: unknown; line: number }[]> {
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
  const values: { value: unknown; line: number }[] = [];
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
      values.push({
        value: exactIntegers ? parseJsonKeepingIntegers(line) : JSON.parse(line),
        line: index + 1,
      });
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
