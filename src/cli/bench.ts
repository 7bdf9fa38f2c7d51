// `npm run bench -- <scenario files...>`: runs scenarios, prints a summary, writes result JSON.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SingleBar } from 'cli-progress';
import { Command, InvalidArgumentError } from 'commander';
import {
  DEFAULT_OVERHEAD_ROUND_MS,
  DEFAULT_OVERHEAD_ROUNDS,
  formatOverhead,
  runOverheadBench,
} from '../benchmarks/overhead.ts';
import { AgentError } from '../harness/distributed/errors.ts';
import { runOnAgents } from '../harness/distributed/run-on-agents.ts';
import {
  DEFAULT_METRICS_LINGER_MS,
  type LiveEndpoint,
  serveLiveMetrics,
} from '../harness/metrics/prometheus/live-endpoint.ts';
import { type RunOptions, type RunProgress, runScenario } from '../harness/runner.ts';
import { writeExports } from '../report/exports/write-exports.ts';
import { writeHtmlReport } from '../report/html-report.ts';
import {
  describeAgent,
  describePhase,
  describeThreshold,
  formatSummary,
  phasesWithoutSuccess,
} from '../report/text-summary.ts';
import { writeResult } from '../result/result-file.ts';
import type { RunResult } from '../result/result-schema.ts';
import { CODEC_SHORT_NAME_LIST } from '../rpc/codec/codec.ts';
import { ScenarioError } from '../scenario/errors.ts';
import { checkGoTypes } from '../scenario/go-types-check.ts';
import { checkMemoryBudget, formatBytes, parseByteSize } from '../scenario/memory-budget.ts';
import { applyOverrides, type ScenarioOverrides, scenarioFromOverrides } from '../scenario/overrides.ts';
import { type ScenarioSelectMode, SELECT_MODE_NAMES } from '../scenario/phase-plan.ts';
import { type LoadedScenario, loadScenario } from '../scenario/scenario-loader.ts';
import { MAX_DURATION_MS, phaseDurationMs, SCENARIO_DEFAULTS } from '../scenario/scenario-schema.ts';
import { escapeTerminal } from '../util/escape-terminal.ts';
import { formatCount, formatLatencyUs } from '../util/format.ts';
import { msToSeconds } from '../util/units.ts';
import {
  addressArgument,
  describeDurationMs,
  duration,
  jsonArgument,
  list,
  listenAddress,
  parseCommandLine,
  percentilesArgument,
  positiveInteger,
  positiveNumber,
  repeatable,
  selectModeArgument,
  shortCodecArgument,
  stagesArgument,
} from './arguments.ts';
import { EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_OK, EXIT_TERMINATED, EXIT_USAGE } from './exit-codes.ts';
import { type ProgressFields, progressLine } from './progress-line.ts';
import { runProgram } from './run-program.ts';

const SCENARIO_DIR = 'scenarios';
/** A second SIGINT or SIGTERM within this long of the first is the same request. */
const SIGNAL_REPEAT_WINDOW_MS = 1000;
/** How long --agents-etcd waits for the load hosts by default; the help text states it once. */
const DEFAULT_AGENTS_WAIT_MS = 30_000;
/** Shows the cursor and turns line wrap back on. */
const TERMINAL_RESTORE = '\x1b[?25h\x1b[?7h';

function restoreTerminal(): void {
  if (process.stderr.isTTY) process.stderr.write(TERMINAL_RESTORE);
}
const DEFAULT_OUT_DIR = 'reports';

interface BenchOptions {
  out: string;
  json?: boolean;
  quiet?: boolean;
  /** Milliseconds. */
  duration?: number;
  calls?: number;
  /** Milliseconds. */
  warmup?: number;
  name?: string;
  target?: string[];
  registry?: string;
  etcd?: string[];
  etcdPrefix?: string;
  method?: string;
  args?: unknown;
  argsFile?: string;
  goTypes?: string;
  codec?: ScenarioOverrides['codec'];
  httpPath?: string;
  select?: ScenarioSelectMode[];
  concurrency?: number;
  rate?: number;
  maxInFlight?: number;
  threshold?: string[];
  overhead?: boolean;
  rounds?: number;
  /** Bytes; replaces every scenario's memoryBudgetBytes. */
  memoryBudget?: number;
  csv?: string;
  junit?: string;
  markdown?: string;
  metricsListen?: { host: string; port: number };
  /** Milliseconds. */
  metricsLinger?: number;
  /** An objective such as `p99<5ms`: a capacity search replaces each scenario's load. */
  search?: string;
  agentsEtcd?: string[];
  /** A count, or names. */
  agents?: number | string[];
  /** Milliseconds. */
  agentsWait?: number;
  agentsPrefix?: string;
  listenHost?: string;
  stages?: ScenarioOverrides['stages'];
  connections?: number;
  threads?: number;
  percentiles?: number[];
  /** Milliseconds. */
  searchStep?: number;
  /** Milliseconds. */
  searchMax?: number;
  searchStart?: number;
}

/**
 * Flags that cannot be given together: each pair sets the same thing two ways (the load model, or a
 * search's load and a fixed one), so the one that would win silently is refused.
 */
const CONFLICTING_FLAGS: readonly (readonly [keyof BenchOptions, keyof BenchOptions])[] = [
  ['rate', 'concurrency'],
  ['stages', 'rate'],
  ['stages', 'concurrency'],
  ['search', 'rate'],
  ['search', 'concurrency'],
  ['search', 'stages'],
  ['concurrency', 'maxInFlight'],
];

const SEARCH_FLAGS: readonly (keyof BenchOptions)[] = ['searchStep', 'searchMax', 'searchStart'];

/** `maxInFlight` → `--max-in-flight`. */
function flagName(option: keyof BenchOptions): string {
  return `--${String(option).replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`;
}

/** The usage error of contradictory flags, naming both; undefined when there is none. */
function flagConflict(options: BenchOptions, hasFiles: boolean): string | undefined {
  for (const [a, b] of CONFLICTING_FLAGS) {
    if (options[a] !== undefined && options[b] !== undefined) {
      return `${flagName(a)} and ${flagName(b)} contradict each other: give one of them`;
    }
  }
  if (options.stages?.model === 'closed' && options.maxInFlight !== undefined) {
    return '--max-in-flight and --stages of callers contradict each other: --max-in-flight bounds the open model (stages of rates, such as 10s:2000/s)';
  }
  if (!hasFiles && options.search === undefined) {
    const given = SEARCH_FLAGS.find((flag) => options[flag] !== undefined);
    if (given !== undefined)
      return `${flagName(given)} needs --search (or a scenario file with a capacity search)`;
  }
  return undefined;
}

/**
 * Everything a run leaves on disk, in one place: the JSON result of each scenario with its HTML
 * report, and the files for other tools asked for (CSV, JUnit, Markdown, the CI step summary).
 * Returns the paths written.
 */
async function saveOutputs(results: readonly RunResult[], options: BenchOptions): Promise<string[]> {
  const paths: string[] = [];
  for (const result of results) {
    const jsonPath = await writeResult(result, options.out);
    const htmlPath = jsonPath.replace(/\.json$/, '.html');
    await writeHtmlReport([result], htmlPath);
    paths.push(jsonPath, htmlPath);
  }
  const exported = await writeExports(results, {
    ...(options.csv === undefined ? {} : { csv: options.csv }),
    ...(options.junit === undefined ? {} : { junit: options.junit }),
    ...(options.markdown === undefined ? {} : { markdown: options.markdown }),
    ...(process.env.GITHUB_STEP_SUMMARY === undefined
      ? {}
      : { stepSummary: process.env.GITHUB_STEP_SUMMARY }),
  });
  return [...paths, ...exported];
}

async function main(argv: string[]): Promise<number> {
  const wantsHelp = argv.includes('--help') || argv.includes('-h');
  const program = buildProgram(wantsHelp ? await describeScenarios() : '');
  const parsed = parseCommandLine(program, argv);
  if (parsed !== undefined) return parsed;
  const options = program.opts<BenchOptions>();
  if (options.overhead) return runOverhead(options);
  const files = program.args;
  const conflict = flagConflict(options, files.length > 0);
  if (conflict !== undefined) {
    process.stderr.write(`error: ${conflict}\n`);
    return EXIT_USAGE;
  }
  const overrides = overridesFrom(options);
  const loaded: LoadedScenario[] = [];
  try {
    if (files.length === 0) {
      if (overrides.target === undefined) {
        process.stderr.write(
          `${program.helpInformation()}\nerror: give a scenario file, or a target (--target, --registry or --etcd) and --method\n`,
        );
        return EXIT_USAGE;
      }
      loaded.push(scenarioFromOverrides(overrides));
    }
    for (const file of files) loaded.push(applyOverrides(await loadScenario(file), overrides));
    // Every scenario is checked before the first one starts: a refused one exits 2 having run nothing.
    for (const scenario of loaded) {
      checkMemoryBudget(scenario, options.memoryBudget);
      checkGoTypes(scenario);
    }
  } catch (error) {
    if (error instanceof ScenarioError) {
      process.stderr.write(`invalid scenario: ${error.message}\n`);
      return EXIT_USAGE;
    }
    throw error;
  }
  return runAll(loaded, options);
}

/** The command line's changes to the scenarios, or the whole scenario when no file is given. */
function overridesFrom(options: BenchOptions): ScenarioOverrides {
  const target: ScenarioOverrides['target'] =
    options.target !== undefined
      ? { addresses: options.target }
      : options.registry !== undefined
        ? { registry: options.registry }
        : options.etcd !== undefined
          ? {
              etcd: {
                endpoints: options.etcd,
                ...(options.etcdPrefix === undefined ? {} : { prefix: options.etcdPrefix }),
              },
            }
          : undefined;
  const overrides: ScenarioOverrides = {
    name: options.name,
    durationMs: options.duration,
    calls: options.calls,
    warmupMs: options.warmup === undefined ? undefined : Math.round(options.warmup),
    target,
    httpPath: options.httpPath,
    method: options.method,
    args: options.args,
    argsFile: options.argsFile,
    goTypes: options.goTypes,
    // Go types are Go GeeRPC's, and it speaks gob.
    codec: options.codec ?? (options.goTypes === undefined ? undefined : 'gob'),
    select: options.select,
    concurrency: options.concurrency,
    ratePerSecond: options.rate,
    maxInFlight: options.maxInFlight,
    thresholds: options.threshold,
    search: options.search,
    stages: options.stages,
    clients: options.connections,
    loadThreads: options.threads,
    percentiles: options.percentiles,
    searchStepMs: options.searchStep,
    searchMaxMs: options.searchMax,
    searchStartRatePerSecond: options.searchStart,
  };
  return Object.fromEntries(
    Object.entries(overrides).filter(([, value]) => value !== undefined),
  ) as ScenarioOverrides;
}

async function runAll(loaded: readonly LoadedScenario[], options: BenchOptions): Promise<number> {
  const controller = new AbortController();
  // SIGTERM (CI timeouts, `docker stop`) stops a run as Ctrl-C does; the exit status says which.
  let interruptedStatus = EXIT_INTERRUPTED;
  let firstSignalAtMs = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      // A terminal's Ctrl-C reaches the whole process group, and `npm run` forwards it once more:
      // a repeat this soon is the same request, not "quit now".
      if (performance.now() - firstSignalAtMs < SIGNAL_REPEAT_WINDOW_MS) return;
      process.exit(interruptedStatus);
    }
    firstSignalAtMs = performance.now();
    interruptedStatus = signal === 'SIGTERM' ? EXIT_TERMINATED : EXIT_INTERRUPTED;
    process.stderr.write(
      `\nstopping (${signal}): finishing calls in flight and writing a partial result (again after 1 s to quit now)\n`,
    );
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // The progress bar hides the cursor and turns line wrap off; a quit or a crash must not leave them so.
  process.once('exit', restoreTerminal);
  const results: RunResult[] = [];
  let endpoint: LiveEndpoint | undefined;
  try {
    if (options.metricsListen !== undefined) {
      endpoint = await serveLiveMetrics(options.metricsListen);
      process.stderr.write(`serving live metrics at ${endpoint.url}\n`);
    }
    for (const scenario of loaded) {
      if (controller.signal.aborted) break;
      const progress = createProgress(scenario, options);
      try {
        const runOptions: RunOptions = {
          signal: controller.signal,
          onProgress: progress.update,
          onPhaseEnd: progress.phaseEnded,
          ...(options.memoryBudget === undefined ? {} : { memoryBudgetBytes: options.memoryBudget }),
          ...(options.listenHost === undefined ? {} : { listenHost: options.listenHost }),
          ...(endpoint === undefined ? {} : { liveMetrics: endpoint.metrics }),
        };
        results.push(
          options.agentsEtcd === undefined
            ? await runScenario(scenario, runOptions)
            : await runOnAgents(
                scenario,
                {
                  etcd: options.agentsEtcd,
                  want: options.agents ?? 1,
                  waitMs: options.agentsWait ?? DEFAULT_AGENTS_WAIT_MS,
                  ...(options.agentsPrefix === undefined ? {} : { prefix: options.agentsPrefix }),
                },
                runOptions,
              ),
        );
        const lost = results.at(-1)?.agents?.lost ?? [];
        if (lost.length > 0) {
          process.stderr.write(
            `run failed: load host ${escapeTerminal(lost.join(', '))} was lost mid-run (its etcd lease expired); the result is partial\n`,
          );
          await report(results, options);
          return EXIT_FAILURE;
        }
      } finally {
        progress.stop();
      }
    }
    // The final figures stay up until a scrape has read them (at most --metrics-linger).
    const lingerMs = options.metricsLinger ?? DEFAULT_METRICS_LINGER_MS;
    if (endpoint !== undefined && lingerMs > 0 && !controller.signal.aborted) {
      process.stderr.write(
        `keeping ${endpoint.url} up until a scrape reads the final figures, at most ${msToSeconds(lingerMs)}s (--metrics-linger 0 closes at once)\n`,
      );
    }
    await endpoint?.linger(lingerMs, controller.signal);
  } catch (error) {
    process.stderr.write(`run failed: ${escapeTerminal((error as Error).message)}\n`);
    if (error instanceof AgentError && error.partialResult !== undefined) results.push(error.partialResult);
    if (results.length > 0) await report(results, options);
    return EXIT_FAILURE;
  } finally {
    await endpoint?.close();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  await report(results, options);
  if (controller.signal.aborted) return interruptedStatus;
  const empty = results.flatMap((result) =>
    phasesWithoutSuccess(result).map((phase) => `${result.scenario.name}: ${phase.label}`),
  );
  if (empty.length > 0) {
    process.stderr.write(`run failed: no call succeeded in ${empty.join(', ')}\n`);
    return EXIT_FAILURE;
  }
  const failed = results.flatMap((result) => result.thresholds.filter((outcome) => !outcome.passed));
  if (failed.length > 0) {
    for (const outcome of failed) process.stderr.write(`threshold failed: ${describeThreshold(outcome)}\n`);
    return EXIT_FAILURE;
  }
  return EXIT_OK;
}

async function report(results: readonly RunResult[], options: BenchOptions): Promise<void> {
  const paths = await saveOutputs(results, options);
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
      phaseEnded: (phase) => {
        process.stderr.write(`${scenario.name}: phase ${describePhase(phase)}\n`);
        for (const agent of phase.agents ?? []) process.stderr.write(`  ${describeAgent(agent)}\n`);
      },
      stop: () => {},
    };
  }
  const bar = new SingleBar({
    stream: process.stderr,
    format: (_options, params, payload) =>
      progressLine(payload as ProgressFields, params.progress, params.maxWidth),
    hideCursor: true,
    // The summary follows: the bar is cleared, after an interrupt too, so that it never sits in the middle of it.
    clearOnComplete: true,
  });
  let started = false;
  return {
    update: (progress) => {
      const key = `${progress.phaseIndex}/${progress.stage}`;
      const totalTenths = Math.max(1, Math.round(progress.totalMs / 100));
      const payload: ProgressFields = {
        scenario: scenario.name,
        phase: `${progress.phaseIndex + 1}/${progress.phaseCount} ${progress.phase}`,
        stage: progress.stage === 'warmup' ? 'warm-up' : 'measure',
        elapsedSeconds: msToSeconds(Math.min(progress.elapsedMs, progress.totalMs)).toFixed(1),
        totalSeconds: msToSeconds(progress.totalMs).toFixed(1),
        rate: progress.stage === 'warmup' ? '-' : formatCount(progress.callsPerSecond),
        p99: progress.stage === 'warmup' ? '-' : formatLatencyUs(progress.p99Us),
        errors: formatCount(progress.errors),
        hosts: (progress.hosts ?? [])
          .map(
            (host) => ` | ${host.name} ${formatCount(host.calls)} calls p99 ${formatLatencyUs(host.p99Us)}`,
          )
          .join(''),
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
    .usage('[options] [scenario files...]')
    .description(
      'Runs load scenarios against simulated RPC servers in worker threads, or against your own servers ' +
        '(--target, --registry, --etcd), and reports calls/s, latency percentiles (HdrHistogram), errors and ' +
        'selection fairness per phase. Flags given with scenario files override the matching fields.\n' +
        'Exit codes: 0 ok, 1 a threshold failed (or the run failed, a target included), 2 invalid scenario or usage, 130 interrupted by Ctrl-C, 143 by SIGTERM (both after writing a partial result).\n' +
        'A scenario file is code and runs with your rights, as a k6 script does: run only files you trust.',
    )
    .argument(
      '[scenarios...]',
      'scenario files (TypeScript modules that default-export defineScenario({...})); none with --target/--registry/--etcd',
    )
    .option('--out <dir>', 'directory for the JSON results and their HTML reports', DEFAULT_OUT_DIR)
    .option('--json', 'print the result JSON on stdout (the summary goes to stderr)')
    .option('--csv <file>', 'also write the timeline as CSV: one row per interval and phase')
    .option('--junit <file>', 'also write the thresholds as JUnit XML: one test case per threshold')
    .option(
      '--markdown <file>',
      'also write the summary as Markdown (it is appended to $GITHUB_STEP_SUMMARY whenever that is set)',
    )
    .option('--quiet', 'no progress bar: one line per phase')
    .option(
      '--metrics-listen <host:port>',
      'serve live Prometheus metrics at http://<host:port>/metrics during the run (port 0 picks a free one)',
      listenAddress,
    )
    .option(
      '--metrics-linger <time>',
      'after the run, keep serving until one scrape has read the final figures, at most this long ' +
        `(default ${msToSeconds(DEFAULT_METRICS_LINGER_MS)}s; 0 closes at once): 500ms, 5s; a plain number is seconds`,
      duration({ plainUnit: 's', allowZero: true }),
    )
    .option(
      '--target <addresses>',
      'your servers, comma-separated: tcp@host:port, http@host:port, unix@/path',
      list(addressArgument),
    )
    .option(
      '--registry <url>',
      'your servers from a GeeRPC registry, e.g. http://127.0.0.1:9999/_geerpc_/registry',
    )
    .option(
      '--etcd <endpoints>',
      'your servers from etcd, comma-separated endpoints such as http://127.0.0.1:2379',
      list(String),
    )
    .option(
      '--etcd-prefix <prefix>',
      'the key prefix the servers register under (default /rpcbench/servers/)',
    )
    .option('--method <Service.Method>', 'the method every call names, e.g. Foo.Sum')
    .option(
      '--args <json>',
      'the arguments of every call, as JSON, e.g. \'{"Num1":1,"Num2":2}\'',
      jsonArgument,
    )
    .option('--args-file <file>', 'a file of JSON arguments, one per line, used in turn')
    .option(
      '--go-types <file.go|dir>',
      "the Go source of the target's service: arguments are converted to the method's Go types as encoding/json would (implies --codec gob)",
    )
    .option(
      '--codec <codec>',
      `the codec: ${CODEC_SHORT_NAME_LIST.join(', ')} (Go GeeRPC speaks gob)`,
      shortCodecArgument,
    )
    .option('--http-path <path>', 'the CONNECT path of http@ addresses (default /_geeprc_)')
    .option(
      '--select <modes>',
      `select modes, comma-separated, a phase each: ${SELECT_MODE_NAMES.join(', ')}`,
      list(selectModeArgument),
    )
    .option('--concurrency <n>', 'the closed model: this many calls in flight', positiveInteger)
    .option('--rate <calls/s>', 'the open model: this many calls started per second', positiveNumber)
    .option(
      '--max-in-flight <n>',
      'with --rate: a call due while this many are pending is dropped (ERR_DROPPED)',
      positiveInteger,
    )
    .option(
      '--duration <time>',
      `measure each phase this long (overrides durationMs): 500ms, 10s, 2m, 1d; a plain number is seconds; at most ${describeDurationMs(MAX_DURATION_MS)}`,
      duration({ plainUnit: 's', maxMs: MAX_DURATION_MS }),
    )
    .option(
      '--stages <dur:target,...>',
      'ramp the load in stages, each ending at its target: callers in the closed model (10s:50,30s:50), ' +
        'calls/s in the open model (10s:2000/s,30s:2000/s); a plain duration is seconds',
      stagesArgument,
    )
    .option(
      '--connections <n>',
      'XClients over all load threads, each with its own connection to every server: connections per server (overrides clients)',
      positiveInteger,
    )
    .option('--threads <n>', 'load threads (overrides loadThreads)', positiveInteger)
    .option(
      '--percentiles <list>',
      'latency percentiles the summary and exports show, e.g. p50,p95,p99.9 (overrides percentiles)',
      percentilesArgument,
    )
    .option('--calls <n>', 'stop each phase after this many calls (sets calls)', positiveInteger)
    .option(
      '--warmup <time>',
      'warm-up per phase (overrides warmupMs): 500ms, 2s; a plain number is seconds',
      duration({ plainUnit: 's', allowZero: true }),
    )
    .option(
      '--threshold <expression>',
      "a pass/fail rule such as 'p99 < 5ms' (repeatable; replaces the scenario's)",
      repeatable(String),
    )
    .option('--name <name>', 'the scenario name: it names the result file (default "target" without a file)')
    .option(
      '--search <objective>',
      "find the highest open-model rate that meets an objective such as 'p99<5ms' (replaces the load " +
        'with a capacity search; its bounds are the search defaults listed in the README)',
    )
    .option(
      '--search-step <time>',
      'with --search: measure each step this long: 500ms, 2s; a plain number is seconds',
      duration({ plainUnit: 's', maxMs: MAX_DURATION_MS }),
    )
    .option(
      '--search-max <time>',
      'with --search: start no step once the search has run this long: 30s, 2m; a plain number is seconds',
      duration({ plainUnit: 's', maxMs: MAX_DURATION_MS }),
    )
    .option('--search-start <calls/s>', "with --search: the first step's rate", positiveNumber)
    .option(
      '--memory-budget <bytes>',
      'refuse a scenario estimated to hold more than this in memory (overrides memoryBudgetBytes; ' +
        `default ${formatBytes(SCENARIO_DEFAULTS.memoryBudgetBytes)}); bytes, or with a unit: 256MiB, 2GiB`,
      memoryBudgetArgument,
    )
    .option(
      '--agents-etcd <endpoints>',
      'run the load from load hosts (`npm run agent`) registered in this etcd, comma-separated endpoints; ' +
        'distinct from --etcd, which finds your servers',
      list(String),
    )
    .option(
      '--agents <n|names>',
      'with --agents-etcd: how many load hosts (default 1), or which, comma-separated names',
      agentsArgument,
    )
    .option(
      '--agents-wait <time>',
      `with --agents-etcd: wait this long for the load hosts to register: 500ms, 30s (default ${msToSeconds(DEFAULT_AGENTS_WAIT_MS)}s)`,
      duration({ plainUnit: 's' }),
    )
    .option(
      '--agents-prefix <prefix>',
      'with --agents-etcd: the key prefix the load hosts use (default /rpcbench/agents/)',
    )
    .option(
      '--listen-host <host>',
      'the simulated servers listen on this host (default 127.0.0.1): an address load hosts can reach',
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

function agentsArgument(value: string): number | string[] {
  if (/^\d+$/.test(value)) return positiveInteger(value);
  const names = value
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name.length > 0);
  if (names.length === 0)
    throw new InvalidArgumentError('must be a count or comma-separated load host names');
  return names;
}

function memoryBudgetArgument(value: string): number {
  const bytes = parseByteSize(value);
  if (bytes === null)
    throw new InvalidArgumentError('must be a size in bytes, such as 536870912, 512MiB or 2GiB');
  return bytes;
}

/**
 * `  roundrobin.ts  description`, for every scenario in scenarios/. The description is read from
 * the file's text: listing scenarios must not run them.
 */
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
    const text = await readFile(join(SCENARIO_DIR, name), 'utf8').catch(() => '');
    const description = /\bdescription:\s*(['"`])((?:(?!\1).)*)\1/.exec(text)?.[2] ?? '';
    lines.push(`  ${name.padEnd(width)}  ${description}`);
  }
  return `${lines.join('\n')}\n`;
}

runProgram(import.meta.url, 'bench', () => main(process.argv.slice(2)), {
  crashExitCode: EXIT_FAILURE,
});
