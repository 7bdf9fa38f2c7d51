// The argument parsers every command line shares, and the one way each turns commander's outcome
// into an exit status.
import { type Command, CommanderError, InvalidArgumentError } from 'commander';
import { isValidPercentile, parsePercentileName } from '../result/percentile.ts';
import { formatAddress, parseAddress } from '../rpc/address.ts';
import { DEFAULT_MAX_UNSOLICITED_REPLIES } from '../rpc/client.ts';
import {
  CODEC_NAMES,
  CODEC_SHORT_NAME_LIST,
  type CodecName,
  type CodecShortName,
  codecNamed,
  shortCodecName,
} from '../rpc/codec/codec.ts';
import { parseJsonKeepingIntegers } from '../rpc/go-types/parse-json.ts';
import type { GobBudget } from '../rpc/gob/budget.ts';
import {
  DEFAULT_ELEMENT_ALLOWANCE,
  DEFAULT_ELEMENTS_PER_BYTE,
  DEFAULT_MAX_TYPE_DEFINITION_BYTES,
  DEFAULT_MAX_TYPE_FIELDS,
  DEFAULT_MAX_TYPES,
} from '../rpc/gob/decoder.ts';
import { type ScenarioSelectMode, SELECT_MODE_NAMES } from '../scenario/phase-plan.ts';
import { isRpcError } from '../util/errors.ts';
import { MAX_TIMER_MS } from '../util/units.ts';
import { RPCBENCH_VERSION } from '../util/version.ts';
import { EXIT_OK, EXIT_USAGE } from './exit-codes.ts';
import { dispatchedUsageName } from './run-program.ts';

/**
 * Parses `argv` (the user's arguments, without node and the script). Returns EXIT_OK after
 * `--help` or `--version`, EXIT_USAGE after a usage error (commander has printed it), and
 * undefined when the program should go on with `program.opts()` and `program.args`.
 */
export function parseCommandLine(program: Command, argv: readonly string[]): number | undefined {
  program.exitOverride();
  const usageName = dispatchedUsageName();
  if (usageName !== undefined) program.name(usageName);
  // Every command answers --version the same way, here rather than in each command's definition.
  program.version(`rpcbench ${RPCBENCH_VERSION}`, '-V, --version', 'print the version and exit');
  try {
    program.parse([...argv], { from: 'user' });
  } catch (error) {
    // Help and version end with exit code 0 in commander; every usage error with another.
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    throw error;
  }
  return undefined;
}

/** A plain decimal number (`12`, `-1.5`, `2e3`); NaN for anything else, blank text included. */
function decimal(text: string): number {
  return /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text.trim()) ? Number(text) : Number.NaN;
}

export function positiveNumber(value: string): number {
  const number = decimal(value);
  if (!Number.isFinite(number) || number <= 0) throw new InvalidArgumentError('must be a positive number');
  return number;
}

export function nonNegativeNumber(value: string): number {
  const number = decimal(value);
  if (!Number.isFinite(number) || number < 0) throw new InvalidArgumentError('must be a non-negative number');
  return number;
}

function describeIntegerRange(min: number, max: number): string {
  if (max === Number.MAX_SAFE_INTEGER) {
    if (min === Number.MIN_SAFE_INTEGER) return 'must be an integer';
    if (min === 1) return 'must be a positive integer';
    if (min === 0) return 'must be a non-negative integer';
    return `must be an integer of at least ${min}`;
  }
  return `must be a whole number from ${min} to ${max}`;
}

/** An integer from `min` to `max`, both included. */
export function integerInRange(
  min: number = Number.MIN_SAFE_INTEGER,
  max: number = Number.MAX_SAFE_INTEGER,
): (value: string) => number {
  const rule = describeIntegerRange(min, max);
  return (value) => {
    const number = decimal(value);
    if (!Number.isSafeInteger(number) || number < min || number > max) throw new InvalidArgumentError(rule);
    return number;
  };
}

export const positiveInteger = integerInRange(1);
export const nonNegativeInteger = integerInRange(0);
export const anyInteger = integerInRange();

export type DurationUnit = 'ms' | 's' | 'm' | 'h' | 'd';

const MS_PER_UNIT: Record<DurationUnit, number> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};
const UNIT_NAMES: Record<DurationUnit, string> = {
  ms: 'milliseconds',
  s: 'seconds',
  m: 'minutes',
  h: 'hours',
  d: 'days',
};
const DURATION_EXAMPLES = 'a duration such as 500ms, 10s, 2m, 1h or 1d';

/**
 * Milliseconds from `500ms`, `10s`, `2m`, `1h`, or a plain number in `plainUnit`; NaN when the
 * text is neither.
 */
export function durationToMs(text: string, plainUnit: DurationUnit): number {
  const match = /^(.*?)\s*(ms|s|m|h|d)?$/.exec(text.trim());
  const amount = decimal(match?.[1] ?? '');
  const unit = (match?.[2] as DurationUnit | undefined) ?? plainUnit;
  // toPrecision drops the binary noise of the product: 1.1 s is 1100 ms, not 1100.0000000000002.
  return Number((amount * MS_PER_UNIT[unit]).toPrecision(15));
}

export interface DurationRule {
  /** The unit of a plain number: each option keeps the one it has always had. */
  plainUnit: DurationUnit;
  /** Whether zero is a valid duration. @default false */
  allowZero?: boolean;
  /** The longest accepted, ms. @default no limit */
  maxMs?: number;
}

/** A duration with or without a unit (plain numbers in `rule.plainUnit`), parsed to milliseconds. */
export function duration(rule: DurationRule): (value: string) => number {
  const sign = rule.allowZero === true ? 'non-negative' : 'positive';
  const message = `must be a ${sign} number of ${UNIT_NAMES[rule.plainUnit]}, or ${DURATION_EXAMPLES}`;
  return (value) => {
    const ms = durationToMs(value, rule.plainUnit);
    if (!Number.isFinite(ms) || ms < 0 || (ms === 0 && rule.allowZero !== true)) {
      throw new InvalidArgumentError(message);
    }
    if (rule.maxMs !== undefined && ms > rule.maxMs) {
      throw new InvalidArgumentError(`must be at most ${describeDurationMs(rule.maxMs)}`);
    }
    return ms;
  };
}

/** `7d`, `1h`, `90s`: a limit in the largest unit that writes it whole. */
export function describeDurationMs(ms: number): string {
  for (const unit of ['d', 'h', 'm', 's'] as const) {
    if (ms >= MS_PER_UNIT[unit] && ms % MS_PER_UNIT[unit] === 0) return `${ms / MS_PER_UNIT[unit]}${unit}`;
  }
  return `${ms}ms`;
}

/**
 * A ramp such as `2s:100,30s:100,2s:0`: each stage's length and the level it ends at. A level
 * ending in `/s` is a rate (the open model); a plain count is callers (the closed model). One
 * list uses one of the two.
 */
export function stagesArgument(value: string): {
  model: 'open' | 'closed';
  stages: { durationMs: number; level: number }[];
} {
  const parts = value.split(',').map((part) => part.trim());
  const stages: { durationMs: number; level: number }[] = [];
  const models = new Set<'open' | 'closed'>();
  for (const part of parts) {
    const match = /^(.+):(.+?)(\/s)?$/.exec(part);
    const durationMs = match === null ? Number.NaN : durationToMs(match[1]!, 's');
    const level = match === null ? Number.NaN : decimal(match[2]!);
    if (!(durationMs > 0) || !Number.isFinite(durationMs) || !(level >= 0)) {
      throw new InvalidArgumentError(
        `stage '${part}' must be <duration>:<callers> or <duration>:<rate>/s, such as 10s:50 or 10s:2000/s`,
      );
    }
    models.add(match![3] === undefined ? 'closed' : 'open');
    stages.push({ durationMs: Math.round(durationMs), level });
  }
  if (models.size > 1) {
    throw new InvalidArgumentError('mixes callers and rates (/s): give every stage the same kind');
  }
  return { model: models.has('open') ? 'open' : 'closed', stages };
}

/** `p50,p95,p99.9` (or plain `50,95,99.9`): percentiles above 0 and at most 100. */
export function percentilesArgument(value: string): number[] {
  return value.split(',').map((part) => {
    const text = part.trim();
    const percentile = /^p/i.test(text) ? parsePercentileName(text) : decimal(text);
    if (percentile === undefined || !isValidPercentile(percentile)) {
      throw new InvalidArgumentError(`'${text}' is not a percentile such as p50, p99.9 or 99.99`);
    }
    return percentile;
  });
}

/**
 * Whole milliseconds from 0 to the longest a timer can wait (about 24.8 days), as a plain number
 * or with a unit (`10s`).
 */
export function wholeMilliseconds(value: string): number {
  const ms = durationToMs(value, 'ms');
  if (!Number.isSafeInteger(ms) || ms < 0 || ms > MAX_TIMER_MS) {
    throw new InvalidArgumentError(
      `must be a whole number of milliseconds from 0 to ${MAX_TIMER_MS}, or ${DURATION_EXAMPLES}`,
    );
  }
  return ms;
}

/** A codec by its short name (`json`) or its full name (`application/json`). */
export function codecArgument(value: string): CodecName {
  const codec = codecNamed(value);
  if (codec === undefined) {
    throw new InvalidArgumentError(
      `unknown codec; choose ${CODEC_SHORT_NAME_LIST.join(', ')}, ${CODEC_NAMES.join(' or ')}`,
    );
  }
  return codec;
}

/** A repeatable option: each occurrence is parsed and added to the list. */
export function repeatable<T>(parse: (value: string) => T): (value: string, previous?: T[]) => T[] {
  return (value, previous = []) => [...previous, parse(value)];
}

/**
 * A parser of this project used as an argument parser: its RpcError (whose message names the
 * rule) becomes commander's usage error; any other error is a bug and passes through.
 */
export function projectArgument<T>(parse: (value: string) => T): (value: string) => T {
  return (value) => {
    try {
      return parse(value);
    } catch (error) {
      if (isRpcError(error)) throw new InvalidArgumentError(error.message);
      throw error;
    }
  };
}

/** A comma-separated list, each item parsed; blank items are ignored. */
export function list<T>(parse: (value: string) => T): (value: string) => T[] {
  return (value) =>
    value
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== '')
      .map(parse);
}

/** A GeeRPC address: tcp@host:port, http@host:port or unix@/path. */
export const addressArgument = projectArgument((value: string) => formatAddress(parseAddress(value)));

/** JSON text, parsed. */
export function jsonArgument(value: string): unknown {
  try {
    // Integers beyond 2^53 (int64, uint64) keep every digit, as bigints.
    return parseJsonKeepingIntegers(value);
  } catch (error) {
    throw new InvalidArgumentError(
      `must be JSON, such as '{"Num1":1,"Num2":2}' or '"hi"': ${(error as Error).message}`,
    );
  }
}

/** A codec by its short name (`json`, `msgpack`, `gob`) or its full name, as a scenario names it. */
export function shortCodecArgument(value: string): CodecShortName {
  return shortCodecName(codecArgument(value));
}

/** A scenario select mode, or `broadcast`. */
export function selectModeArgument(value: string): ScenarioSelectMode {
  if (!(SELECT_MODE_NAMES as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(`unknown select mode "${value}"; choose ${SELECT_MODE_NAMES.join(', ')}`);
  }
  return value as ScenarioSelectMode;
}

/** `host:port` for a server to listen on: `127.0.0.1:9464`, `[::1]:9464`, `localhost:0` (a free port). */
export function listenAddress(value: string): { host: string; port: number } {
  const match = /^(?:\[(?<ipv6>[^\]]+)\]|(?<host>[^:[\]]+)):(?<port>\d{1,5})$/.exec(value.trim());
  const port = Number(match?.groups?.port);
  if (match?.groups === undefined || port > 65_535) {
    throw new InvalidArgumentError(
      'must be host:port, such as 127.0.0.1:9464 or [::1]:9464 (port 0 picks a free one)',
    );
  }
  return { host: match.groups.ipv6 ?? match.groups.host!, port };
}

// The options that bound what a peer can make this process hold, for every command that takes
// them: the gob decoding budget (serve, bench, call) and the replies to no call (bench, call).

/** What commander gives for the options of gobBudgetOptions. */
export interface RawGobBudgetOptions {
  gobElementsPerByte?: number;
  gobElementAllowance?: number;
  gobMaxTypes?: number;
  gobMaxTypeFields?: number;
  gobMaxTypeBytes?: number;
}

/** What commander gives for the options of clientLimitOptions. */
export interface RawClientLimitOptions extends RawGobBudgetOptions {
  maxUnsolicitedReplies?: number;
}

/** What one gob message and one gob stream from the peer may make a connection hold. */
export function gobBudgetOptions(command: Command): Command {
  return command
    .option(
      '--gob-elements-per-byte <n>',
      `gob: a message of B bytes may make B x this + --gob-element-allowance elements (fields, array and slice elements, map entries, zero-filled ones too) (default ${DEFAULT_ELEMENTS_PER_BYTE})`,
      positiveInteger,
    )
    .option(
      '--gob-element-allowance <n>',
      `gob: see --gob-elements-per-byte (default ${DEFAULT_ELEMENT_ALLOWANCE})`,
      positiveInteger,
    )
    .option(
      '--gob-max-types <n>',
      `gob: type definitions the peer may send on one connection (default ${DEFAULT_MAX_TYPES})`,
      positiveInteger,
    )
    .option(
      '--gob-max-type-fields <n>',
      `gob: struct fields all the types the peer sends on one connection may declare (default ${DEFAULT_MAX_TYPE_FIELDS})`,
      positiveInteger,
    )
    .option(
      '--gob-max-type-bytes <n>',
      `gob: bytes all the type definitions the peer sends on one connection may take (default ${DEFAULT_MAX_TYPE_DEFINITION_BYTES})`,
      positiveInteger,
    );
}

/** The gob budget the options give, only the limits given; undefined when none is. */
export function gobBudgetFrom(raw: RawGobBudgetOptions): GobBudget | undefined {
  const budget: GobBudget = {
    elementsPerByte: raw.gobElementsPerByte,
    elementAllowance: raw.gobElementAllowance,
    maxTypes: raw.gobMaxTypes,
    maxTypeFields: raw.gobMaxTypeFields,
    maxTypeDefinitionBytes: raw.gobMaxTypeBytes,
  };
  const given = Object.entries(budget).filter(([, value]) => value !== undefined);
  return given.length === 0 ? undefined : Object.fromEntries(given);
}

/** What the servers a client dials may make it hold: the gob budget and unsolicited replies. */
export function clientLimitOptions(command: Command): Command {
  return gobBudgetOptions(
    command.option(
      '--max-unsolicited-replies <n>',
      `close a connection (ERR_BAD_FRAME) once its server has sent more than this many replies to no call (default ${DEFAULT_MAX_UNSOLICITED_REPLIES})`,
      nonNegativeInteger,
    ),
  );
}
