// `npm run bench:core`: the RPC core against grpc-js and a raw TCP echo, on one loopback connection.
import { Command, InvalidArgumentError as CommanderArgumentError } from 'commander';
import { CASE_KINDS, type CaseKind } from '../benchmarks/core/cases.ts';
import { formatCoreBench } from '../benchmarks/core/format-table.ts';
import {
  DEFAULT_DURATION_MS,
  DEFAULT_ROUNDS,
  DEFAULT_WARMUP_MS,
  runCoreBench,
} from '../benchmarks/core/run-core-bench.ts';
import { secondsToMs } from '../util/units.ts';

function positiveSeconds(value: string): number {
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new CommanderArgumentError('must be a positive number of seconds');
  }
  return seconds;
}

function nonNegativeSeconds(value: string): number {
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds < 0) {
    throw new CommanderArgumentError('must be a non-negative number of seconds');
  }
  return seconds;
}

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n <= 0) throw new CommanderArgumentError('must be a positive integer');
  return n;
}

function caseKinds(value: string): CaseKind[] {
  const kinds = value.split(',').map((kind) => kind.trim());
  for (const kind of kinds) {
    if (!(CASE_KINDS as readonly string[]).includes(kind)) {
      throw new CommanderArgumentError(`unknown case "${kind}"; choose from ${CASE_KINDS.join(', ')}`);
    }
  }
  return kinds as CaseKind[];
}

const program = new Command()
  .name('bench-core')
  .description(
    'Measures calls/s and p50/p99 of Bench.Echo (100-byte payload) on one loopback connection with 1 and ' +
      '64 calls in flight: rpcbench with msgpack and JSON, grpc-js unary calls, and a raw TCP echo of ' +
      'length-prefixed frames (the limit). Servers run in a worker thread. Each case runs --rounds times ' +
      'in interleaved order and the median is reported, with PASS/MISS per target. Always exits 0.',
  )
  .option('--duration <seconds>', 'measured time of each run', positiveSeconds, DEFAULT_DURATION_MS / 1000)
  .option(
    '--warmup <seconds>',
    'unrecorded warm-up before each run',
    nonNegativeSeconds,
    DEFAULT_WARMUP_MS / 1000,
  )
  .option('--rounds <n>', 'runs of each case; the median is reported', positiveInteger, DEFAULT_ROUNDS)
  .option('--only <cases>', `comma-separated subset of ${CASE_KINDS.join(',')}`, caseKinds)
  .option('--json', 'print the results as JSON instead of a table')
  .parse();

const options = program.opts<{
  duration: number;
  warmup: number;
  rounds: number;
  only?: CaseKind[];
  json?: boolean;
}>();

const result = await runCoreBench({
  durationMs: secondsToMs(options.duration),
  warmupMs: secondsToMs(options.warmup),
  rounds: options.rounds,
  kinds: options.only,
  onRunStart: options.json
    ? undefined
    : (spec, round, rounds) =>
        process.stderr.write(`${round < 0 ? 'warm-up' : `round ${round + 1}/${rounds}`}: ${spec.id}\n`),
});
console.log(options.json ? JSON.stringify(result, null, 2) : formatCoreBench(result));
