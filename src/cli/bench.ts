// `npm run bench -- <scenario files...>`: runs scenarios, prints a summary, writes result JSON.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { SingleBar } from 'cli-progress';
import { Command, InvalidArgumentError } from 'commander';
import {
  DEFAULT_OVERHEAD_ROUND_MS,
  DEFAULT_OVERHEAD_ROUNDS,
  formatOverhead,
  runOverheadBench,
} from '../benchmarks/overhead.ts';
import { type RunProgress, runScenario } from '../harness/runner.ts';
import { writeHtmlReport } from '../report/html-report.ts';
import { describePhase, describeThreshold, formatSummary } from '../report/text-summary.ts';
import { writeResult } from '../result/result-file.ts';
import type { RunResult } from '../result/result-schema.ts';
import { ScenarioError } from '../scenario/errors.ts';
import { checkMemoryBudget, formatBytes, parseByteSize } from '../scenario/memory-budget.ts';
import { applyOverrides, type ScenarioOverrides } from '../scenario/overrides.ts';
import { type LoadedScenario, loadScenario } from '../scenario/scenario-loader.ts';
import { phaseDurationMs, SCENARIO_DEFAULTS } from '../scenario/scenario-schema.ts';
import { formatCount, formatLatencyUs } from '../util/format.ts';
import { msToSeconds } from '../util/units.ts';
import { duration, parseCommandLine, positiveInteger, wholeMilliseconds } from './arguments.ts';
import { EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_OK, EXIT_TERMINATED, EXIT_USAGE } from './exit-codes.ts';
import { runProgram } from './run-program.ts';

const SCENARIO_DIR = 'scenarios';
const DEFAULT_OUT_DIR = 'reports';

interface BenchOptions {
  out: string;
  json?: boolean;
  quiet?: boolean;
  /** Milliseconds. */
  duration?: number;
  calls?: number;
  warmup?: number;
  overhead?: boolean;
  rounds?: number;
  /** Bytes; replaces every scenario's memoryBudgetBytes. */
  memoryBudget?: number;
  /** An objective such as `p99<5ms`: a capacity search replaces each scenario's load. */
  search?: string;
}

interface OutputOptions {
  outDir: string;
}

/**
 * Everything a run leaves on disk, in one place: the JSON result of each scenario. Returns the
 * paths written.
 */
async function saveOutputs(results: readonly RunResult[], options: OutputOptions): Promise<string[]> {
  const paths: string[] = [];
  for (const result of results) {
    const jsonPath = await writeResult(result, options.outDir);
    const htmlPath = jsonPath.replace(/\.json$/, '.html');
    await writeHtmlReport([result], htmlPath);
    paths.push(jsonPath, htmlPath);
  }
  return paths;
}

async function main(argv: string[]): Promise<number> {
  const wantsHelp = argv.includes('--help') || argv.includes('-h');
  const program = buildProgram(wantsHelp ? await describeScenarios() : '');
  const parsed = parseCommandLine(program, argv);
  if (parsed !== undefined) return parsed;
  const options = program.opts<BenchOptions>();
  if (options.overhead) return runOverhead(options);
  const files = program.args;
  if (files.length === 0) {
    process.stderr.write(`${program.helpInformation()}\nerror: give at least one scenario file\n`);
    return EXIT_USAGE;
  }
  const overrides: ScenarioOverrides = {
    ...(options.duration === undefined ? {} : { durationMs: options.duration }),
    ...(options.calls === undefined ? {} : { calls: options.calls }),
    ...(options.warmup === undefined ? {} : { warmupMs: options.warmup }),
    ...(options.search === undefined ? {} : { search: options.search }),
  };
  const loaded: LoadedScenario[] = [];
  try {
    for (const file of files) loaded.push(applyOverrides(await loadScenario(file), overrides));
    // Every scenario is checked before the first one starts: a refused one exits 2 having run nothing.
    for (const scenario of loaded) checkMemoryBudget(scenario, options.memoryBudget);
  } catch (error) {
    if (error instanceof ScenarioError) {
      process.stderr.write(`invalid scenario: ${error.message}\n`);
      return EXIT_USAGE;
    }
    throw error;
  }
  return runAll(loaded, options);
}

async function runAll(loaded: readonly LoadedScenario[], options: BenchOptions): Promise<number> {
  const controller = new AbortController();
  // SIGTERM (CI timeouts, `docker stop`) stops a run as Ctrl-C does; the exit status says which.
  let interruptedStatus = EXIT_INTERRUPTED;
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(interruptedStatus);
    interruptedStatus = signal === 'SIGTERM' ? EXIT_TERMINATED : EXIT_INTERRUPTED;
    process.stderr.write(
      `\nstopping (${signal}): finishing calls in flight and writing a partial result (again to quit now)\n`,
    );
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const results: RunResult[] = [];
  try {
    for (const scenario of loaded) {
      if (controller.signal.aborted) break;
      const progress = createProgress(scenario, options);
      try {
        results.push(
          await runScenario(scenario, {
            signal: controller.signal,
            onProgress: progress.update,
            onPhaseEnd: progress.phaseEnded,
            ...(options.memoryBudget === undefined ? {} : { memoryBudgetBytes: options.memoryBudget }),
          }),
        );
      } finally {
        progress.stop();
      }
    }
  } catch (error) {
    process.stderr.write(`run failed: ${(error as Error).message}\n`);
    if (results.length > 0) await report(results, options);
    return EXIT_FAILURE;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  await report(results, options);
  if (controller.signal.aborted) return interruptedStatus;
  const failed = results.flatMap((result) => result.thresholds.filter((outcome) => !outcome.passed));
  if (failed.length > 0) {
    for (const outcome of failed) process.stderr.write(`threshold failed: ${describeThreshold(outcome)}\n`);
    return EXIT_FAILURE;
  }
  return EXIT_OK;
}

async function report(results: readonly RunResult[], options: BenchOptions): Promise<void> {
  const paths = await saveOutputs(results, { outDir: options.out });
  const summaryStream = options.json ? process.stderr : process.stdout;
  for (const result of results) summaryStream.write(`\n${formatSummary(result)}\n`);
  for (const path of paths) process.stderr.write(`wrote ${path}\n`);
  if (options.json) {
    process.stdout.write(`${JSON.stringify(results.length === 1 ? results[0] : results, null, 2)}\n`);
  }
}

interface Progress {
  update: (progress: RunProgress) => void;
  phaseEnded: (phase: RunResult['phases'][number]) => void;
  stop: () => void;
}

/** A live bar on a terminal; otherwise (or with --quiet) a line as each phase starts and ends. */
function createProgress(loaded: LoadedScenario, options: BenchOptions): Progress {
  const { scenario } = loaded;
  let lastKey = '';
  const startLine = (progress: RunProgress) =>
    `${scenario.name}: phase ${progress.phaseIndex + 1}/${progress.phaseCount} ${progress.phase}: ` +
    `${describeMeasurement(scenario)}\n`;
  if (options.quiet || !process.stderr.isTTY) {
    return {
      update: (progress) => {
        const key = `${progress.phaseIndex}`;
        if (key !== lastKey) process.stderr.write(startLine(progress));
        lastKey = key;
      },
      phaseEnded: (phase) => process.stderr.write(`${scenario.name}: phase ${describePhase(phase)}\n`),
      stop: () => {},
    };
  }
  const bar = new SingleBar({
    stream: process.stderr,
    format:
      '{scenario} {phase} {stage} [{bar}] {elapsedSeconds}/{totalSeconds}s | {rate} calls/s | p99 {p99} | errors {errors}',
    barsize: 24,
    hideCursor: true,
    clearOnComplete: false,
  });
  let started = false;
  return {
    update: (progress) => {
      const key = `${progress.phaseIndex}/${progress.stage}`;
      const totalTenths = Math.max(1, Math.round(progress.totalMs / 100));
      const payload = {
        scenario: scenario.name,
        phase: `${progress.phaseIndex + 1}/${progress.phaseCount} ${progress.phase}`,
        stage: progress.stage === 'warmup' ? 'warm-up' : 'measure',
        elapsedSeconds: msToSeconds(Math.min(progress.elapsedMs, progress.totalMs)).toFixed(1),
        totalSeconds: msToSeconds(progress.totalMs).toFixed(1),
        rate: progress.stage === 'warmup' ? '-' : formatCount(progress.callsPerSecond),
        p99: progress.stage === 'warmup' ? '-' : formatLatencyUs(progress.p99Us),
        errors: formatCount(progress.errors),
      };
      const value = Math.min(totalTenths, Math.round(progress.elapsedMs / 100));
      if (!started) {
        bar.start(totalTenths, value, payload);
        started = true;
      } else if (key !== lastKey) {
        bar.setTotal(totalTenths);
        bar.update(value, payload);
      } else {
        bar.update(value, payload);
      }
      lastKey = key;
    },
    phaseEnded: () => {},
    stop: () => {
      if (started) bar.stop();
    },
  };
}

/** What each phase will do, for the line that starts it. */
function describeMeasurement(scenario: LoadedScenario['scenario']): string {
  const { load } = scenario;
  if (load.model === 'search') {
    return (
      `capacity search for ${load.slo.join(' and ')}: steps of ${msToSeconds(load.stepDurationMs)}s from ` +
      `${formatCount(load.startRatePerSecond)} calls/s, at most ${load.maxSteps} steps or ${msToSeconds(load.maxSearchMs)}s`
    );
  }
  return (
    `warming up ${msToSeconds(scenario.warmupMs)}s, then measuring up to ${msToSeconds(phaseDurationMs(scenario))}s` +
    `${scenario.calls === undefined ? '' : ` or ${formatCount(scenario.calls)} calls`}`
  );
}

async function runOverhead(options: BenchOptions): Promise<number> {
  const rounds = options.rounds ?? DEFAULT_OVERHEAD_ROUNDS;
  const roundMs = options.duration ?? DEFAULT_OVERHEAD_ROUND_MS;
  process.stderr.write(`harness overhead: ${rounds} rounds of ${roundMs} ms per variant, interleaved\n`);
  const result = await runOverheadBench({
    rounds,
    roundMs,
    onRound: options.quiet
      ? undefined
      : (round, variant, rate) =>
          process.stderr.write(`  round ${round + 1} ${variant}: ${formatCount(rate)} calls/s\n`),
  });
  process.stdout.write(`${options.json ? JSON.stringify(result, null, 2) : formatOverhead(result)}\n`);
  return EXIT_OK;
}

function buildProgram(scenarioList: string): Command {
  const program = new Command()
    .name('npm run bench --')
    .usage('[options] <scenario files...>')
    .description(
      'Runs load scenarios against simulated RPC servers in worker threads and reports calls/s, latency ' +
        'percentiles (HdrHistogram), errors and selection fairness per phase.\n' +
        'Exit codes: 0 ok, 1 a threshold failed (or the run failed), 2 invalid scenario or usage, 130 interrupted by Ctrl-C, 143 by SIGTERM (both after writing a partial result).',
    )
    .argument(
      '[scenarios...]',
      'scenario files (TypeScript modules that default-export defineScenario({...}))',
    )
    .option('--out <dir>', 'directory for the JSON results and their HTML reports', DEFAULT_OUT_DIR)
    .option('--json', 'print the result JSON on stdout (the summary goes to stderr)')
    .option('--quiet', 'no progress bar: one line per phase')
    .option(
      '--duration <seconds>',
      'measure each phase this long (overrides durationMs); seconds, or with a unit: 500ms, 10s, 2m',
      duration({ plainUnit: 's' }),
    )
    .option('--calls <n>', 'stop each phase after this many calls (sets calls)', positiveInteger)
    .option(
      '--warmup <ms>',
      'warm-up per phase (overrides warmupMs); milliseconds, or with a unit: 500ms, 2s',
      wholeMilliseconds,
    )
    .option(
      '--search <objective>',
      "find the highest open-model rate that meets an objective such as 'p99<5ms' (replaces the load " +
        'with a capacity search; its bounds are the search defaults listed in the README)',
    )
    .option(
      '--memory-budget <bytes>',
      'refuse a scenario estimated to hold more than this in memory (overrides memoryBudgetBytes; ' +
        `default ${formatBytes(SCENARIO_DEFAULTS.memoryBudgetBytes)}); bytes, or with a unit: 256MiB, 2GiB`,
      memoryBudgetArgument,
    )
    .option(
      '--overhead',
      'measure the harness overhead instead of running scenarios (--duration sets the round length)',
    )
    .option(
      '--rounds <n>',
      `rounds of the overhead benchmark (default ${DEFAULT_OVERHEAD_ROUNDS})`,
      positiveInteger,
    )
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });
  if (scenarioList !== '') program.addHelpText('after', `\nScenarios in ${SCENARIO_DIR}/:\n${scenarioList}`);
  return program;
}

function memoryBudgetArgument(value: string): number {
  const bytes = parseByteSize(value);
  if (bytes === null)
    throw new InvalidArgumentError('must be a size in bytes, such as 536870912, 512MiB or 2GiB');
  return bytes;
}

/** `  roundrobin.ts  description`, for every scenario in scenarios/; unloadable ones say why. */
async function describeScenarios(): Promise<string> {
  let names: string[];
  try {
    names = (await readdir(SCENARIO_DIR)).filter((name) => name.endsWith('.ts')).sort();
  } catch {
    return `  (no ${SCENARIO_DIR}/ directory here)\n`;
  }
  const width = Math.max(0, ...names.map((name) => name.length));
  const lines: string[] = [];
  for (const name of names) {
    let description: string;
    try {
      description = (await loadScenario(join(SCENARIO_DIR, name))).scenario.description;
    } catch (error) {
      description = `(invalid: ${(error as Error).message.split('\n')[0]})`;
    }
    lines.push(`  ${name.padEnd(width)}  ${description}`);
  }
  return `${lines.join('\n')}\n`;
}

runProgram(import.meta.url, 'bench', () => main(process.argv.slice(2)), {
  crashExitCode: EXIT_FAILURE,
});
