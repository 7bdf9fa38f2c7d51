import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Command, InvalidArgumentError } from 'commander';
import {
  anyInteger,
  codecArgument,
  describeDurationMs,
  duration,
  durationToMs,
  integerInRange,
  nonNegativeInteger,
  nonNegativeNumber,
  parseCommandLine,
  percentilesArgument,
  positiveInteger,
  positiveNumber,
  projectArgument,
  repeatable,
  stagesArgument,
  wholeMilliseconds,
} from '../../src/cli/arguments.ts';
import { EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE } from '../../src/cli/exit-codes.ts';
import { InvalidArgumentError as ProjectArgumentError } from '../../src/util/errors.ts';
import { MAX_TIMER_MS } from '../../src/util/units.ts';
import { RPCBENCH_VERSION } from '../../src/util/version.ts';

/** Each input is accepted with the expected value, or refused with a message matching `refusal`. */
function check<T>(
  parse: (value: string) => T,
  accepted: readonly (readonly [string, T])[],
  refused: readonly string[],
  refusal: RegExp,
): void {
  for (const [input, expected] of accepted) assert.deepEqual(parse(input), expected, `accepts "${input}"`);
  for (const input of refused) {
    assert.throws(
      () => parse(input),
      (error: unknown) => error instanceof InvalidArgumentError && refusal.test(error.message),
      `refuses "${input}"`,
    );
  }
}

function program(): { command: Command; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  const command = new Command()
    .name('tool')
    .option('--count <n>', 'how many', positiveInteger)
    .argument('[files...]')
    .configureOutput({ writeOut: (text) => out.push(text), writeErr: (text) => err.push(text) });
  return { command, out, err };
}

test('the exit statuses', () => {
  assert.deepEqual([EXIT_OK, EXIT_FAILURE, EXIT_USAGE, EXIT_INTERRUPTED], [0, 1, 2, 130]);
});

test('parseCommandLine: --help and --version exit 0, a usage error exits 2, a good line goes on', () => {
  const help = program();
  assert.equal(parseCommandLine(help.command, ['--help']), EXIT_OK);
  assert.match(help.out.join(''), /--count <n>/);

  const version = program();
  assert.equal(parseCommandLine(version.command, ['--version']), EXIT_OK);
  assert.equal(version.out.join(''), `rpcbench ${RPCBENCH_VERSION}\n`);

  for (const argv of [['--unknown'], ['--count', '0'], ['--count']]) {
    const bad = program();
    assert.equal(parseCommandLine(bad.command, argv), EXIT_USAGE, argv.join(' '));
    assert.match(bad.err.join(''), /^error: /, argv.join(' '));
  }

  const good = program();
  assert.equal(parseCommandLine(good.command, ['--count', '3', 'a.ts', 'b.ts']), undefined);
  assert.deepEqual(good.command.opts(), { count: 3 });
  assert.deepEqual(good.command.args, ['a.ts', 'b.ts']);
  assert.deepEqual(good.err, []);
});

test('parseCommandLine names the rule the argument broke', () => {
  const bad = program();
  parseCommandLine(bad.command, ['--count', 'many']);
  assert.match(
    bad.err.join(''),
    /option '--count <n>' argument 'many' is invalid\. must be a positive integer/,
  );
});

test('parseCommandLine lets an error that is not commander’s through', () => {
  const command = new Command().option('--x <v>', 'x', () => {
    throw new TypeError('a bug');
  });
  assert.throws(() => parseCommandLine(command, ['--x', '1']), TypeError);
});

test('positiveNumber and nonNegativeNumber', () => {
  check(
    positiveNumber,
    [
      ['1', 1],
      ['0.25', 0.25],
      ['.5', 0.5],
      ['2e3', 2000],
    ],
    ['0', '-1', '', ' ', 'abc', 'Infinity', '0x10', '1,5', 'NaN'],
    /^must be a positive number$/,
  );
  check(
    nonNegativeNumber,
    [
      ['0', 0],
      ['1.5', 1.5],
    ],
    ['-0.1', '', 'x'],
    /^must be a non-negative number$/,
  );
});

test('integerInRange: bounds, and a message for each kind of range', () => {
  check(
    integerInRange(1, 100_000),
    [
      ['1', 1],
      ['100000', 100_000],
    ],
    ['0', '100001', '1.5', '', 'ten'],
    /^must be a whole number from 1 to 100000$/,
  );
  check(
    positiveInteger,
    [
      ['7', 7],
      ['1e2', 100],
    ],
    ['0', '-3', '2.5', ''],
    /^must be a positive integer$/,
  );
  check(nonNegativeInteger, [['0', 0]], ['-1', '0.5'], /^must be a non-negative integer$/);
  check(integerInRange(2), [['2', 2]], ['1'], /^must be an integer of at least 2$/);
  check(
    anyInteger,
    [
      ['-42', -42],
      ['0', 0],
    ],
    ['', '1.5', '9007199254740993'],
    /^must be an integer$/,
  );
});

test('durations: units, and a plain number in the unit the option always had', () => {
  assert.equal(durationToMs('500ms', 's'), 500);
  assert.equal(durationToMs('10s', 'ms'), 10_000);
  assert.equal(durationToMs('2m', 'ms'), 120_000);
  assert.equal(durationToMs('1h', 'ms'), 3_600_000);
  assert.equal(durationToMs('1.1s', 'ms'), 1100);
  assert.equal(durationToMs('1.5 s', 'ms'), 1500);
  assert.equal(durationToMs('3', 's'), 3000);
  assert.equal(durationToMs('3', 'ms'), 3);
  for (const text of ['', 's', '10x', '10 sec', 'ms10', '1e', '--5s']) {
    assert.ok(Number.isNaN(durationToMs(text, 'ms')), text);
  }

  check(
    duration({ plainUnit: 's' }),
    [
      ['2', 2000],
      ['0.5', 500],
      ['250ms', 250],
      ['2m', 120_000],
    ],
    ['0', '0s', '-1', '', 'soon', '5w'],
    /^must be a positive number of seconds, or a duration such as 500ms, 10s, 2m, 1h or 1d$/,
  );
  check(
    duration({ plainUnit: 'ms', allowZero: true }),
    [
      ['0', 0],
      ['100', 100],
      ['0.2s', 200],
    ],
    ['-1', 'x'],
    /^must be a non-negative number of milliseconds/,
  );
});

test('wholeMilliseconds: 0 to the longest timer, with or without a unit', () => {
  check(
    wholeMilliseconds,
    [
      ['0', 0],
      ['250', 250],
      ['10s', 10_000],
      ['1.5s', 1500],
      [String(MAX_TIMER_MS), MAX_TIMER_MS],
    ],
    ['-1', '1.5', '', '0.5ms', String(MAX_TIMER_MS + 1), '30d'],
    new RegExp(`^must be a whole number of milliseconds from 0 to ${MAX_TIMER_MS}`),
  );
});

test('codecArgument: short and full names', () => {
  check(
    codecArgument,
    [
      ['json', 'application/json'],
      ['msgpack', 'application/msgpack'],
      ['application/json', 'application/json'],
      ['gob', 'application/gob'],
      ['application/msgpack', 'application/msgpack'],
      ['application/gob', 'application/gob'],
    ],
    ['protobuf', '', 'JSON', 'toString'],
    /^unknown codec; choose json, msgpack, gob, application\/json or application\/msgpack or application\/gob$/,
  );
});

test('repeatable collects every occurrence; projectArgument turns project errors into usage errors', () => {
  const collect = repeatable(positiveInteger);
  assert.deepEqual(collect('3', collect('1')), [1, 3]);
  const even = projectArgument((value) => {
    if (Number(value) % 2 !== 0) throw new ProjectArgumentError(`--even must be even, got ${value}`);
    return Number(value);
  });
  assert.equal(even('4'), 4);
  check(even, [], ['3'], /^--even must be even, got 3$/);
  const buggy = projectArgument(() => {
    throw new RangeError('a bug');
  });
  assert.throws(() => buggy('1'), RangeError);
});

test('durations in days, and a stated maximum named in the unit that writes it', () => {
  assert.equal(durationToMs('2d', 's'), 2 * 86_400_000);
  const week = duration({ plainUnit: 's', maxMs: 7 * 86_400_000 });
  assert.equal(week('10000'), 10_000_000, 'over an hour is fine');
  assert.equal(week('7d'), 7 * 86_400_000);
  assert.throws(() => week('8d'), { message: 'must be at most 7d' });
  assert.equal(describeDurationMs(3_600_000), '1h');
  assert.equal(describeDurationMs(1500), '1500ms');
});

test('stagesArgument: callers for the closed model, rates with /s for the open one, never mixed', () => {
  assert.deepEqual(stagesArgument('2s:100, 500ms:0'), {
    model: 'closed',
    stages: [
      { durationMs: 2000, level: 100 },
      { durationMs: 500, level: 0 },
    ],
  });
  assert.deepEqual(stagesArgument('1m:2000/s'), {
    model: 'open',
    stages: [{ durationMs: 60_000, level: 2000 }],
  });
  assert.throws(() => stagesArgument('2s:100,2s:200/s'), { message: /mixes callers and rates/ });
  assert.throws(() => stagesArgument('2s'), { message: /stage '2s' must be <duration>:<callers>/ });
  assert.throws(() => stagesArgument('2s:-1'), InvalidArgumentError);
});

test('percentilesArgument: p-names or plain numbers, each above 0 and at most 100', () => {
  assert.deepEqual(percentilesArgument('p50,p95,p99.9'), [50, 95, 99.9]);
  assert.deepEqual(percentilesArgument('99.99'), [99.99]);
  assert.throws(() => percentilesArgument('p50,p101'), {
    message: "'p101' is not a percentile such as p50, p99.9 or 99.99",
  });
  assert.throws(() => percentilesArgument('median'), InvalidArgumentError);
});
