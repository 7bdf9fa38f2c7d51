// `npm run bench -- <scenario files...>`: runs scenarios, prints a summary, writes result JSON.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import {
  DEFAULT_OVERHEAD_ROUND_MS,
  DEFAULT_OVERHEAD_ROUNDS,
  formatOverhead,
  runOverheadBench,
} from '../benchmarks/overhead.ts';
import type { AgentsOptions } from '../harness/distributed/run-on-agents.ts';
import { DEFAULT_METRICS_LINGER_MS } from '../harness/metrics/prometheus/live-endpoint.ts';
import {
  METRICS_SERVER_DEFAULTS,
  type MetricsServerLimits,
} from '../harness/metrics/prometheus/metrics-server.ts';
import { profiledRun } from '../harness/profile/profile-run.ts';
import { formatProfiles } from '../harness/profile/profile-summary.ts';
import { runScenarios } from '../harness/run/run-scenarios.ts';
import type { StopSignal } from '../harness/run/stop-signals.ts';
import { writeExports } from '../report/exports/write-exports.ts';
import { writeHtmlReport } from '../report/html-report.ts';
import { describeThreshold, formatSummary, phasesWithoutSuccess } from '../report/text-summary.ts';
import { writeResult } from '../result/result-file.ts';
import type { RunResult } from '../result/result-schema.ts';
import { CODEC_SHORT_NAME_LIST } from '../rpc/codec/codec.ts';
import { ScenarioError } from '../scenario/errors.ts';
import { checkGoTypes } from '../scenario/go-types-check.ts';
import { checkMemoryBudget, formatBytes, parseByteSize } from '../scenario/memory-budget.ts';
import { applyOverrides, type ScenarioOverrides, scenarioFromOverrides } from '../scenario/overrides.ts';
import { type ScenarioSelectMode, SELECT_MODE_NAMES } from '../scenario/phase-plan.ts';
import { type LoadedScenario, loadScenario } from '../scenario/scenario-loader.ts';
import { MAX_DURATION_MS, SCENARIO_DEFAULTS } from '../scenario/scenario-schema.ts';
import { escapeTerminal } from '../util/escape-terminal.ts';
import { formatCount } from '../util/format.ts';
import { MAX_TIMER_MS, msToSeconds } from '../util/units.ts';
import {
  addressArgument,
  clientLimitOptions,
  describeDurationMs,
  duration,
  gobBudgetFrom,
  jsonArgument,
  list,
  listenAddress,
  parseCommandLine,
  percentilesArgument,
  positiveInteger,
  positiveNumber,
  type RawClientLimitOptions,
  repeatable,
  selectModeArgument,
  shortCodecArgument,
  stagesArgument,
} from './arguments.ts';
import { createProgress } from './bench-progress.ts';
import { EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_OK, EXIT_TERMINATED, EXIT_USAGE } from './exit-codes.ts';
import { runProgram } from './run-program.ts';

const SCENARIO_DIR = 'scenarios';
/** SIGTERM (CI timeouts, `docker stop`) stops a run as Ctrl-C does; the exit status says which. */
const STOP_EXIT_CODES: Record<StopSignal, number> = { SIGINT: EXIT_INTERRUPTED, SIGTERM: EXIT_TERMINATED };
/** How long --agents-etcd waits for the load hosts by default; the help text states it once. */
const DEFAULT_AGENTS_WAIT_MS = 30_000;
/** Shows the cursor and turns line wrap back on. */
const TERMINAL_RESTORE = '\x1b[?25h\x1b[?7h';

function restoreTerminal(): void {
  if (process.stderr.isTTY) process.stderr.write(TERMINAL_RESTORE);
}
const DEFAULT_OUT_DIR = 'reports';

interface BenchOptions extends RawClientLimitOptions, RawMetricsLimitOptions {
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
  profile?: boolean;
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
const METRICS_LIMIT_FLAGS: readonly (keyof BenchOptions)[] = [
  'metricsMaxConnections',
  'metricsHeadersTimeout',
  'metricsRequestTimeout',
  'metricsKeepAliveTimeout',
  'metricsMaxHeaderBytes',
];

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
  if (options.metricsListen === undefined) {
    const given = METRICS_LIMIT_FLAGS.find((flag) => options[flag] !== undefined);
    if (given !== undefined) return `${flagName(given)} needs --metrics-listen`;
  }
  return metricsLimitConflict(options);
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
    maxUnsolicitedReplies: options.maxUnsolicitedReplies,
    gobBudget: gobBudgetFrom(options),
  };
  return Object.fromEntries(
    Object.entries(overrides).filter(([, value]) => value !== undefined),
  ) as ScenarioOverrides;
}

async function runAll(loaded: readonly LoadedScenario[], options: BenchOptions): Promise<number> {
  // The progress bar hides the cursor and turns line wrap off; a quit or a crash must not leave them so.
  process.once('exit', restoreTerminal);
  const outcome = await runScenarios(loaded, {
    ...(options.metricsListen === undefined ? {} : { metricsListen: options.metricsListen }),
    ...(options.metricsLinger === undefined ? {} : { metricsLingerMs: options.metricsLinger }),
    metricsLimits: metricsLimitsFrom(options),
    ...(options.agentsEtcd === undefined ? {} : { agents: agentsFrom(options.agentsEtcd, options) }),
    ...(options.memoryBudget === undefined ? {} : { memoryBudgetBytes: options.memoryBudget }),
    ...(options.listenHost === undefined ? {} : { listenHost: options.listenHost }),
    ...(options.profile ? { profileDir: options.out } : {}),
    observe: (scenario) => createProgress(scenario, options),
    // On a terminal the line may follow a progress bar's: it starts on a line of its own.
    notice: (line) => process.stderr.write(`${process.stderr.isTTY ? '\n' : ''}${line}\n`),
    onQuitNow: (signal) => process.exit(STOP_EXIT_CODES[signal]),
  });
  const { results, stoppedBy, failure } = outcome;
  if (failure !== undefined) {
    process.stderr.write(`run failed: ${escapeTerminal(failure)}\n`);
    if (results.length > 0) await report(results, options);
    return EXIT_FAILURE;
  }
  await report(results, options);
  if (stoppedBy !== undefined) return STOP_EXIT_CODES[stoppedBy];
  return verdict(results);
}

/** The exit status of a run that was not stopped: 1 when a phase had no successful call or a threshold failed. */
function verdict(results: readonly RunResult[]): number {
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

function agentsFrom(etcd: string[], options: BenchOptions): AgentsOptions {
  return {
    etcd,
    want: options.agents ?? 1,
    waitMs: options.agentsWait ?? DEFAULT_AGENTS_WAIT_MS,
    ...(options.agentsPrefix === undefined ? {} : { prefix: options.agentsPrefix }),
  };
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

async function runOverhead(options: BenchOptions): Promise<number> {
  const rounds = options.rounds ?? DEFAULT_OVERHEAD_ROUNDS;
  const roundMs = options.duration ?? DEFAULT_OVERHEAD_ROUND_MS;
  process.stderr.write(`harness overhead: ${rounds} rounds of ${roundMs} ms per variant, interleaved\n`);
  const measure = () =>
    runOverheadBench({
      rounds,
      roundMs,
      onRound: options.quiet
        ? undefined
        : (round, variant, rate) =>
            process.stderr.write(`  round ${round + 1} ${variant}: ${formatCount(rate)} calls/s\n`),
    });
  const profiled = options.profile ? await profiledRun(options.out, 'overhead', measure) : undefined;
  const result = profiled === undefined ? await measure() : profiled.value;
  if (profiled !== undefined) {
    process.stderr.write(`${formatProfiles(profiled.profiles)}\nwrote the profiles to ${profiled.dir}\n`);
  }
  const json = profiled === undefined ? result : { ...result, profiles: profiled.profiles };
  process.stdout.write(`${options.json ? JSON.stringify(json, null, 2) : formatOverhead(result)}\n`);
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
        'Exit codes: 0 ok, 1 a threshold failed, no call of a phase succeeded, or the run failed (a target included), 2 invalid scenario or usage, 130 interrupted by Ctrl-C, 143 by SIGTERM (both after writing a partial result).\n' +
        'A scenario file is code and runs with your rights, as a k6 script does: run only files you trust.',
    )
    .argument(
      '[scenarios...]',
      'scenario files (TypeScript modules that default-export defineScenario({...})); none with --target/--registry/--etcd',
    )
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });
  for (const addOptions of OPTION_GROUPS) addOptions(program);
  if (scenarioList !== '') program.addHelpText('after', `\nScenarios in ${SCENARIO_DIR}/:\n${scenarioList}`);
  return program;
}

/** The options, in the order --help lists them: a group each, so that a new option goes into the group it belongs to. */
const OPTION_GROUPS: readonly ((program: Command) => Command)[] = [
  outputOptions,
  targetOptions,
  loadOptions,
  searchOptions,
  hostOptions,
];

/** Where the results go, and what is shown while the run goes on. */
function outputOptions(program: Command): Command {
  program
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
    );
  return metricsLimitOptions(program);
}

/** What commander gives for the options of metricsLimitOptions; durations in milliseconds. */
export interface RawMetricsLimitOptions {
  metricsMaxConnections?: number;
  metricsHeadersTimeout?: number;
  metricsRequestTimeout?: number;
  metricsKeepAliveTimeout?: number;
  metricsMaxHeaderBytes?: number;
}

const metricsTimeout = duration({ plainUnit: 's', maxMs: MAX_TIMER_MS });

/** What whoever connects to --metrics-listen may make the endpoint hold. */
function metricsLimitOptions(command: Command): Command {
  return command
    .option(
      '--metrics-max-connections <n>',
      `with --metrics-listen: connections open at once; further ones are closed unanswered (default ${METRICS_SERVER_DEFAULTS.maxConnections})`,
      positiveInteger,
    )
    .option(
      '--metrics-headers-timeout <time>',
      `with --metrics-listen: close a connection whose request head is incomplete after this long: 500ms, 5s; a plain number is seconds (default ${describeDurationMs(METRICS_SERVER_DEFAULTS.headersTimeoutMs)})`,
      metricsTimeout,
    )
    .option(
      '--metrics-request-timeout <time>',
      `with --metrics-listen: close a connection whose request is incomplete after this long, at least --metrics-headers-timeout (default ${describeDurationMs(METRICS_SERVER_DEFAULTS.requestTimeoutMs)})`,
      metricsTimeout,
    )
    .option(
      '--metrics-keep-alive-timeout <time>',
      `with --metrics-listen: close a kept-alive connection idle this long (default ${describeDurationMs(METRICS_SERVER_DEFAULTS.keepAliveTimeoutMs)})`,
      metricsTimeout,
    )
    .option(
      '--metrics-max-header-bytes <n>',
      `with --metrics-listen: the request line and headers together, path included; a larger head is answered 431 (default ${METRICS_SERVER_DEFAULTS.maxHeaderBytes})`,
      positiveInteger,
    );
}

/** The limits given, as whole milliseconds (at least 1); the endpoint's defaults apply to the others. */
export function metricsLimitsFrom(raw: RawMetricsLimitOptions): MetricsServerLimits {
  const ms = (value: number | undefined) =>
    value === undefined ? undefined : Math.max(1, Math.round(value));
  const limits: MetricsServerLimits = {
    maxConnections: raw.metricsMaxConnections,
    headersTimeoutMs: ms(raw.metricsHeadersTimeout),
    requestTimeoutMs: ms(raw.metricsRequestTimeout),
    keepAliveTimeoutMs: ms(raw.metricsKeepAliveTimeout),
    maxHeaderBytes: raw.metricsMaxHeaderBytes,
  };
  return Object.fromEntries(Object.entries(limits).filter(([, value]) => value !== undefined));
}

/** The usage error of a head's timeout longer than the whole request's, naming both flags; else undefined. */
export function metricsLimitConflict(raw: RawMetricsLimitOptions): string | undefined {
  const limits = { ...METRICS_SERVER_DEFAULTS, ...metricsLimitsFrom(raw) };
  if (limits.headersTimeoutMs <= limits.requestTimeoutMs) return undefined;
  return (
    `--metrics-headers-timeout (${describeDurationMs(limits.headersTimeoutMs)}) must be at most ` +
    `--metrics-request-timeout (${describeDurationMs(limits.requestTimeoutMs)}${raw.metricsRequestTimeout === undefined ? ', its default' : ''})`
  );
}

/** The servers called, and the call each makes. */
function targetOptions(program: Command): Command {
  program
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
    );
  // What the servers called may make each client hold (overrides maxUnsolicitedReplies and gobBudget).
  return clientLimitOptions(program);
}

/** The load, its length and the pass/fail rules. */
function loadOptions(program: Command): Command {
  return program
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
    .option('--name <name>', 'the scenario name: it names the result file (default "target" without a file)');
}

/** A capacity search instead of a fixed load. */
function searchOptions(program: Command): Command {
  return program
    .option(
      '--search <objective>',
      "find the highest open-model rate that meets an objective such as 'p99<5ms' (replaces the load " +
        'with a capacity search; its bounds are the search defaults listed in docs/load-models.md)',
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
    .option('--search-start <calls/s>', "with --search: the first step's rate", positiveNumber);
}

/** Memory, load hosts, where the simulated servers listen, and the overhead benchmark. */
function hostOptions(program: Command): Command {
  return program
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
    .option(
      '--profile',
      'write a V8 CPU profile (.cpuprofile) of every thread (main, load, server) into a folder beside the result; the result and report list the heaviest functions',
    );
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
