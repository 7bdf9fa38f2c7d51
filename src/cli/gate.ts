import { appendFile, mkdir, readdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Command } from 'commander';
import { renderDuetPage } from '../gate/duet/duet-page.ts';
import {
  DEFAULT_DUET_MAX_THROUGHPUT_SLOWDOWN,
  DEFAULT_DUET_PAIRS,
  type DuetDecision,
  runDuet,
} from '../gate/duet/run-duet.ts';
import { type DuetTargetSource, parseDuetTarget } from '../gate/duet/target-source.ts';
import {
  DEFAULT_BASELINE_ROUNDS,
  DEFAULT_GATE_ROUNDS,
  DEFAULT_PAIRS_PER_ROUND,
  DEFAULT_WINDOW_MS,
} from '../gate/measure/measure-phase.ts';
import {
  DEFAULT_REMEASURE_ROUNDS,
  DEFAULT_SCENARIO_RUNS,
  type GateDecision,
  type GateOutcome,
  runGate,
} from '../gate/run-gate.ts';
import { outcomeLine, renderGateMarkdown } from '../gate/summary.ts';
import { renderTextTable } from '../gate/table.ts';
import { DEFAULT_MAX_SLOWDOWN, DEFAULT_MAX_THROUGHPUT_SLOWDOWN } from '../gate/verdict.ts';
import {
  duration,
  integerInRange,
  parseCommandLine,
  positiveInteger,
  positiveNumber,
  projectArgument,
} from './arguments.ts';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from './exit-codes.ts';
import { runProgram } from './run-program.ts';

const DEFAULT_SUITE_DIR = 'scenarios/gate';
const DEFAULT_BASELINE_DIR = 'reports/baseline';

interface GateOptions {
  baseline: string;
  writeBaseline?: boolean;
  maxSlowdown: number;
  maxThroughputSlowdown: number;
  rounds?: number;
  pairs: number;
  windowMs: number;
  remeasure: number;
  runs: number;
  json?: string;
  baselineTarget?: DuetTargetSource;
  target?: DuetTargetSource;
  pid?: number;
  baselinePid?: number;
  report?: string;
}

const program = new Command()
  .name('npm run bench:gate --')
  .description(
    'Runs scenarios and compares them with a baseline: exact correctness checks, the scenarios ' +
      'thresholds, and the cost of each phase measured against a reference in the same run. ' +
      `Without scenario files it runs ${DEFAULT_SUITE_DIR}/*.ts against ${DEFAULT_BASELINE_DIR}. ` +
      'Exit status: 0 pass, 1 regression or failed check, 2 unusable baseline or input.',
  )
  .argument('[scenarios...]', `scenario files (default: ${DEFAULT_SUITE_DIR}/*.ts)`)
  .option('--baseline <dir>', 'the baseline folder', DEFAULT_BASELINE_DIR)
  .option('--write-baseline', 'measure and write the baseline instead of comparing')
  .option(
    '--max-slowdown <fraction>',
    'slowdown tolerated in CPU time per call, unless a scenario sets its own (0.1 = 10 %)',
    positiveNumber,
    DEFAULT_MAX_SLOWDOWN,
  )
  .option(
    '--max-throughput-slowdown <fraction>',
    'slowdown tolerated in wall-clock calls per second, unless a scenario sets its own',
    positiveNumber,
    DEFAULT_MAX_THROUGHPUT_SLOWDOWN,
  )
  .option(
    '--rounds <n>',
    `rounds over all phases, each phase in a fresh thread (default ${DEFAULT_GATE_ROUNDS}, ${DEFAULT_BASELINE_ROUNDS} with --write-baseline)`,
    positiveInteger,
  )
  .option(
    '--pairs <n>',
    'RPC/reference window pairs per phase in each round',
    positiveInteger,
    DEFAULT_PAIRS_PER_ROUND,
  )
  .option(
    '--window-ms <ms>',
    'length of each window; milliseconds, or with a unit: 50ms, 0.2s',
    duration({ plainUnit: 'ms' }),
    DEFAULT_WINDOW_MS,
  )
  .option(
    '--remeasure <rounds>',
    'further rounds at most for phases whose verdict is unsure or a suspected regression (duet mode: further batches of --pairs pairs while a verdict is unsure)',
    integerInRange(0),
    DEFAULT_REMEASURE_ROUNDS,
  )
  .option(
    '--runs <n>',
    'runs of each scenario for the exact checks and thresholds',
    positiveInteger,
    DEFAULT_SCENARIO_RUNS,
  )
  .option('--json <file>', 'also write the verdicts as JSON')
  .option(
    '--baseline-target <addresses>',
    "duet mode: compare the scenario's target (B, the candidate) with this running build (A, the baseline) side by side, in alternating windows; no stored baseline. Comma-separated tcp@host:port, http@host:port or unix@/path; a GeeRPC registry URL http://host:port/_geerpc_/registry; or etcd://host:port[,host:port]/key/prefix/",
    projectArgument(parseDuetTarget),
  )
  .option(
    '--target <addresses>',
    "duet mode: the candidate build (B), instead of the scenario's target; the same forms as --baseline-target",
    projectArgument(parseDuetTarget),
  )
  .option(
    '--pid <pid>',
    "duet mode: the candidate server's process, to compare CPU time per call (from /proc)",
    positiveInteger,
  )
  .option('--baseline-pid <pid>', "duet mode: the baseline server's process", positiveInteger)
  .option('--report <dir>', 'duet mode: write the verdict as an HTML page, <dir>/gate-duet.html')
  .showHelpAfterError();

function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

async function defaultSuite(): Promise<string[]> {
  const files = await readdir(DEFAULT_SUITE_DIR).catch(() => [] as string[]);
  return files
    .filter((file) => file.endsWith('.ts'))
    .sort()
    .map((file) => join(DEFAULT_SUITE_DIR, file));
}

function rewriteCommand(usesDefaults: boolean, files: readonly string[], baselineDir: string): string {
  if (usesDefaults) return 'npm run bench:baseline';
  return `npm run bench:gate -- ${files.join(' ')} --baseline ${baselineDir} --write-baseline`;
}

/** The table and notes on stdout, the Markdown in $GITHUB_STEP_SUMMARY, and the --json file. */
async function writeOutputs(decision: GateDecision, jsonFile: string | undefined): Promise<void> {
  const { passed, rows, notes } = decision;
  console.log(outcomeLine(decision));
  console.log(renderTextTable(rows));
  for (const note of notes) console.log(`  ${note}`);
  const stepSummary = process.env.GITHUB_STEP_SUMMARY;
  if (stepSummary !== undefined && stepSummary !== '') {
    await appendFile(stepSummary, renderGateMarkdown(decision));
  }
  if (jsonFile !== undefined) {
    await writeFile(jsonFile, `${JSON.stringify({ passed, rows, ...decision.jsonExtra }, null, 2)}\n`);
  }
}

const EXIT_STATUS: Record<GateOutcome['verdict'], number> = {
  pass: EXIT_OK,
  fail: EXIT_FAILURE,
  unusable: EXIT_USAGE,
};

async function main(argv: readonly string[]): Promise<number> {
  const parsed = parseCommandLine(program, argv);
  if (parsed !== undefined) return parsed;
  const options = program.opts<GateOptions>();
  const usesDefaults = program.args.length === 0 && options.baseline === DEFAULT_BASELINE_DIR;
  const files = program.args.length > 0 ? program.args : await defaultSuite();
  if (files.length === 0) {
    console.error(`error: no scenario files given and none in ${DEFAULT_SUITE_DIR}/`);
    return EXIT_USAGE;
  }
  if (options.baselineTarget !== undefined)
    return duet(
      files,
      options,
      program.getOptionValueSource('pairs') === 'default',
      program.getOptionValueSource('maxThroughputSlowdown') === 'default',
    );
  const writeBaseline = options.writeBaseline === true;
  const outcome = await runGate({
    files,
    baselineDir: resolve(options.baseline),
    writeBaseline,
    limits: { cost: options.maxSlowdown, throughput: options.maxThroughputSlowdown },
    rounds: options.rounds ?? (writeBaseline ? DEFAULT_BASELINE_ROUNDS : DEFAULT_GATE_ROUNDS),
    pairs: options.pairs,
    windowMs: options.windowMs,
    remeasure: options.remeasure,
    runs: options.runs,
    rewriteCommand: rewriteCommand(usesDefaults, files, options.baseline),
    log,
  });
  if (outcome.verdict === 'unusable') console.error(`error: ${outcome.message}`);
  else await writeOutputs(outcome, options.json);
  return EXIT_STATUS[outcome.verdict];
}

/** Duet mode: one scenario, two running builds, no stored baseline. */
async function duet(
  files: readonly string[],
  options: GateOptions,
  defaultPairs: boolean,
  defaultThroughputLimit: boolean,
): Promise<number> {
  if (files.length !== 1 || options.writeBaseline === true) {
    console.error('error: --baseline-target takes exactly one scenario file, and no --write-baseline');
    return EXIT_USAGE;
  }
  const outcome = await runDuet({
    file: files[0]!,
    baseline: options.baselineTarget!,
    ...(options.target === undefined ? {} : { candidate: options.target }),
    ...(options.pid === undefined ? {} : { candidatePid: options.pid }),
    ...(options.baselinePid === undefined ? {} : { baselinePid: options.baselinePid }),
    maxSlowdown: options.maxSlowdown,
    maxThroughputSlowdown: defaultThroughputLimit
      ? DEFAULT_DUET_MAX_THROUGHPUT_SLOWDOWN
      : options.maxThroughputSlowdown,
    pairs: defaultPairs ? DEFAULT_DUET_PAIRS : options.pairs,
    windowMs: options.windowMs,
    remeasure: options.remeasure,
    log,
  });
  if (outcome.verdict === 'unusable') {
    console.error(`error: ${outcome.message}`);
    return EXIT_USAGE;
  }
  // The JSON file may go beside the page.
  if (options.report !== undefined) await mkdir(options.report, { recursive: true });
  await writeOutputs(outcome, options.json);
  if (options.report !== undefined) {
    const page = join(options.report, 'gate-duet.html');
    await writeFile(page, renderDuetPage(outcome as DuetDecision));
    log(`Report: ${page}`);
  }
  return EXIT_STATUS[outcome.verdict];
}

runProgram(import.meta.url, 'gate', () => main(process.argv.slice(2)), { crashExitCode: EXIT_USAGE });
