// `npm run bench:core`: the RPC core against grpc-js and a raw TCP echo, on one loopback connection.
import { Command, InvalidArgumentError, Option } from 'commander';
import { CASE_KINDS, type CaseKind } from '../benchmarks/core/cases.ts';
import { formatCoreBench } from '../benchmarks/core/format-table.ts';
import {
  DEFAULT_DURATION_MS,
  DEFAULT_ROUNDS,
  DEFAULT_WARMUP_MS,
  runCoreBench,
} from '../benchmarks/core/run-core-bench.ts';
import { profiledRun } from '../harness/profile/profile-run.ts';
import { formatProfiles } from '../harness/profile/profile-summary.ts';
import { msToSeconds } from '../util/units.ts';
import { duration, parseCommandLine, positiveInteger } from './arguments.ts';
import { EXIT_OK } from './exit-codes.ts';
import { runProgram } from './run-program.ts';

/** Where --profile puts its folder unless given one: beside the results of `npm run bench`. */
const DEFAULT_PROFILE_DIR = 'reports';

function caseKinds(value: string): CaseKind[] {
  const kinds = value.split(',').map((kind) => kind.trim());
  for (const kind of kinds) {
    if (!(CASE_KINDS as readonly string[]).includes(kind)) {
      throw new InvalidArgumentError(`unknown case "${kind}"; choose from ${CASE_KINDS.join(', ')}`);
    }
  }
  return kinds as CaseKind[];
}

/** A time in seconds, or with a unit; the default is shown in seconds. */
function secondsOption(flags: string, description: string, defaultMs: number, allowZero: boolean): Option {
  return new Option(flags, `${description}; seconds, or with a unit: 500ms, 10s, 2m`)
    .argParser(duration({ plainUnit: 's', allowZero }))
    .default(defaultMs, `${msToSeconds(defaultMs)}s`);
}

function buildProgram(): Command {
  return new Command()
    .name('npm run bench:core --')
    .description(
      'Measures calls/s, p50/p99 and CPU µs per call of Bench.Echo (100-byte payload) on one loopback ' +
        'connection with 1 and 64 calls in flight: rpcbench with msgpack, gob and JSON, grpc-js unary calls, ' +
        "a raw TCP echo of length-prefixed frames (the limit), and GeeRPC's Go server driven by rpcbench and by " +
        "Go's own client. Servers run in a worker thread. Each case runs --rounds times in interleaved order and " +
        'the median is reported; each target is the median of its ratio within each round, with PASS/MISS.\n' +
        'Exit codes: 0 measured (whatever the verdicts), 2 bad command line.',
    )
    .addOption(secondsOption('--duration <seconds>', 'measured time of each run', DEFAULT_DURATION_MS, false))
    .addOption(
      secondsOption('--warmup <seconds>', 'unrecorded warm-up before each run', DEFAULT_WARMUP_MS, true),
    )
    .option('--rounds <n>', 'runs of each case; the median is reported', positiveInteger, DEFAULT_ROUNDS)
    .option('--only <cases>', `comma-separated subset of ${CASE_KINDS.join(',')}`, caseKinds)
    .option('--json', 'print the results as JSON instead of a table')
    .option(
      '--profile [dir]',
      'write a V8 CPU profile (.cpuprofile) of each thread into a new folder in <dir> (default reports) and list the heaviest functions',
    );
}

async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  const parsed = parseCommandLine(program, argv);
  if (parsed !== undefined) return parsed;
  const options = program.opts<{
    /** Milliseconds. */
    duration: number;
    /** Milliseconds. */
    warmup: number;
    rounds: number;
    only?: CaseKind[];
    json?: boolean;
    profile?: string | true;
  }>();
  const measure = () =>
    runCoreBench({
      durationMs: options.duration,
      warmupMs: options.warmup,
      rounds: options.rounds,
      kinds: options.only,
      onRunStart: options.json
        ? undefined
        : (spec, round, rounds) =>
            process.stderr.write(`${round < 0 ? 'warm-up' : `round ${round + 1}/${rounds}`}: ${spec.id}\n`),
    });
  if (options.profile === undefined) {
    const result = await measure();
    console.log(options.json ? JSON.stringify(result, null, 2) : formatCoreBench(result));
    return EXIT_OK;
  }
  const dir = options.profile === true ? DEFAULT_PROFILE_DIR : options.profile;
  const run = await profiledRun(dir, 'core', measure);
  process.stderr.write(`${formatProfiles(run.profiles)}\nwrote the profiles to ${run.dir}\n`);
  console.log(
    options.json
      ? JSON.stringify({ ...run.value, profiles: run.profiles }, null, 2)
      : formatCoreBench(run.value),
  );
  return EXIT_OK;
}

runProgram(import.meta.url, 'bench-core', () => main(process.argv.slice(2)));
