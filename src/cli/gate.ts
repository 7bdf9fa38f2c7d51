import { appendFile, readdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Command, InvalidArgumentError as CommanderArgumentError, CommanderError } from 'commander';
import { collectEnvironment } from '../harness/environment.ts';
import {
  DEFAULT_BASELINE_PAIRS,
  DEFAULT_GATE_PAIRS,
  DEFAULT_SLICE_MS,
  measurePhase,
  remeasurePhase,
} from '../harness/gate-measure.ts';
import { REFERENCE_VERSION } from '../harness/gate-reference.ts';
import type { PhaseSamples } from '../harness/gate-samples.ts';
import { type GateScenario, loadGateScenarios } from '../harness/gate-suite.ts';
import type { RunResult } from '../harness/result-schema.ts';
import { runScenario } from '../harness/runner.ts';
import {
  GATE_BASELINE_KIND,
  GATE_BASELINE_SCHEMA_VERSION,
  type GateBaseline,
  readBaseline,
  scenarioBaselineOf,
  writeBaseline,
} from '../report/gate-baseline.ts';
import {
  comparePerformance,
  type PerformanceRow,
  phasesToRemeasure,
  type ScenarioSamples,
} from '../report/gate-compare.ts';
import { type CorrectnessOutcome, checkRun } from '../report/gate-correctness.ts';
import { outcomeLine, renderGateMarkdown } from '../report/gate-summary.ts';
import {
  correctnessTableRow,
  performanceTableRow,
  renderTextTable,
  type TableRow,
} from '../report/gate-table.ts';
import { DEFAULT_MAX_SLOWDOWN, DEFAULT_MAX_THROUGHPUT_SLOWDOWN } from '../report/gate-verdict.ts';
import { isRpcError } from '../rpc/errors.ts';

const EXIT_PASS = 0;
/** A regression, a failed correctness check or a broken scenario threshold. */
const EXIT_REGRESSION = 1;
/** The gate cannot decide: unusable baseline, bad command line or scenario file. */
const EXIT_UNUSABLE = 2;

const DEFAULT_SUITE_DIR = 'scenarios/gate';
const DEFAULT_BASELINE_DIR = 'reports/baseline';
const DEFAULT_REMEASURE_ROUNDS = 2;
const DEFAULT_SCENARIO_RUNS = 1;

interface GateOptions {
  baseline: string;
  writeBaseline?: boolean;
  maxSlowdown: number;
  maxThroughputSlowdown: number;
  pairs?: number;
  sliceMs: number;
  remeasure: number;
  runs: number;
  json?: string;
}

const positiveNumber = (name: string) => (text: string) => {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0)
    throw new CommanderArgumentError(`${name} must be a positive number`);
  return value;
};
const nonNegativeInteger = (name: string) => (text: string) => {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new CommanderArgumentError(`${name} must be a non-negative integer`);
  }
  return value;
};

const program = new Command()
  .name('npm run bench:gate --')
  .description(
    'Runs scenarios and compares them with a baseline: exact correctness checks, the scenarios ' +
      'thresholds, and per-phase timings measured against a reference in the same run. ' +
      `Without scenario files it runs ${DEFAULT_SUITE_DIR}/*.ts. Exit status: 0 pass, 1 regression, 2 unusable baseline.`,
  )
  .argument('[scenarios...]', `scenario files (default: ${DEFAULT_SUITE_DIR}/*.ts)`)
  .option('--baseline <dir>', 'the baseline folder', DEFAULT_BASELINE_DIR)
  .option('--write-baseline', 'measure and write the baseline instead of comparing')
  .option(
    '--max-slowdown <fraction>',
    'slowdown tolerated in CPU time per call, unless a scenario sets its own (0.1 = 10 %)',
    positiveNumber('--max-slowdown'),
    DEFAULT_MAX_SLOWDOWN,
  )
  .option(
    '--max-throughput-slowdown <fraction>',
    'slowdown tolerated in wall-clock calls per second, unless a scenario sets its own',
    positiveNumber('--max-throughput-slowdown'),
    DEFAULT_MAX_THROUGHPUT_SLOWDOWN,
  )
  .option(
    '--pairs <n>',
    `interleaved RPC/reference slice pairs per phase (default ${DEFAULT_GATE_PAIRS}, ${DEFAULT_BASELINE_PAIRS} with --write-baseline)`,
    positiveNumber('--pairs'),
  )
  .option('--slice-ms <ms>', 'length of each slice', positiveNumber('--slice-ms'), DEFAULT_SLICE_MS)
  .option(
    '--remeasure <rounds>',
    'further rounds for a phase whose verdict is unsure or a suspected regression',
    nonNegativeInteger('--remeasure'),
    DEFAULT_REMEASURE_ROUNDS,
  )
  .option(
    '--runs <n>',
    'runs of each scenario for the exact checks and thresholds',
    positiveNumber('--runs'),
    DEFAULT_SCENARIO_RUNS,
  )
  .option('--json <file>', 'also write the verdicts as JSON')
  .showHelpAfterError()
  .exitOverride();

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

/** Runs each scenario for its exact checks and thresholds; a run that throws is a failure too. */
async function runScenarios(entries: readonly GateScenario[], runs: number): Promise<CorrectnessOutcome[]> {
  const outcomes: CorrectnessOutcome[] = [];
  for (const entry of entries) {
    const name = entry.loaded.scenario.name;
    for (let run = 1; run <= runs; run++) {
      log(`${name}: scenario run ${run}/${runs}`);
      let result: RunResult;
      try {
        result = await runScenario(entry.loaded);
      } catch (error) {
        outcomes.push({
          scenario: name,
          phase: null,
          check: 'complete-run',
          expected: 'the run completes',
          actual: `error: ${(error as Error).message}`,
          passed: false,
        });
        continue;
      }
      outcomes.push(...checkRun(result));
    }
  }
  return outcomes;
}

/** A probe that could not be measured (its calls failed): a failure of the code under test. */
function measurementFailure(scenario: string, phase: string, error: unknown): CorrectnessOutcome {
  return {
    scenario,
    phase,
    check: 'complete-run',
    expected: 'every probe call succeeds',
    actual: error instanceof Error ? error.message : String(error),
    passed: false,
  };
}

async function measureAll(
  entries: readonly GateScenario[],
  pairs: number,
  sliceMs: number,
  failures: CorrectnessOutcome[],
): Promise<ScenarioSamples[]> {
  const measured: ScenarioSamples[] = [];
  for (const entry of entries) {
    const name = entry.loaded.scenario.name;
    const phases: PhaseSamples[] = [];
    for (const spec of entry.specs) {
      const startMs = performance.now();
      try {
        phases.push(await measurePhase(spec, { pairs, sliceMs }));
        log(
          `${name} › ${spec.label}: ${pairs} pairs in ${((performance.now() - startMs) / 1000).toFixed(1)} s`,
        );
      } catch (error) {
        if (!isRpcError(error, 'ERR_GATE_MEASUREMENT')) throw error;
        failures.push(measurementFailure(name, spec.label, error));
      }
    }
    measured.push({ name, phases });
  }
  return measured;
}

/**
 * Compares with the baseline; phases whose verdict is unsure, or that look like a regression the
 * first time, are measured again (pooled with the earlier pairs) before the final verdict.
 */
async function compareWithRemeasure(
  baseline: GateBaseline,
  entries: readonly GateScenario[],
  measured: ScenarioSamples[],
  options: { pairs: number; sliceMs: number; rounds: number },
): Promise<PerformanceRow[]> {
  const limits = new Map(entries.map((entry) => [entry.loaded.scenario.name, entry.limits]));
  for (let round = 0; ; round++) {
    const final = round >= options.rounds;
    const rows = comparePerformance(baseline, measured, { limits, final });
    if (final) return rows;
    const todo = phasesToRemeasure(rows).filter(
      (target) =>
        round === 0 ||
        rows.some(
          (row) =>
            row.scenario === target.scenario &&
            row.phase === target.phase &&
            row.comparison.verdict === 'unsure',
        ),
    );
    if (todo.length === 0) return comparePerformance(baseline, measured, { limits, final: true });
    for (const target of todo) {
      const entry = entries.find((candidate) => candidate.loaded.scenario.name === target.scenario)!;
      const spec = entry.specs.find((candidate) => candidate.label === target.phase)!;
      const scenario = measured.find((candidate) => candidate.name === target.scenario)!;
      const index = scenario.phases.findIndex((phase) => phase.phase === target.phase);
      log(`${target.scenario} › ${target.phase}: not clear yet, measuring ${options.pairs} more pairs`);
      scenario.phases[index] = await remeasurePhase(spec, scenario.phases[index]!, options);
    }
  }
}

async function writeOutputs(
  rows: TableRow[],
  passed: boolean,
  notes: string[],
  jsonFile: string | undefined,
  extra: unknown,
): Promise<void> {
  const summary = { passed, rows, notes };
  console.log(outcomeLine(summary));
  console.log(renderTextTable(rows));
  for (const note of notes) console.log(`  ${note}`);
  const stepSummary = process.env.GITHUB_STEP_SUMMARY;
  if (stepSummary !== undefined && stepSummary !== '')
    await appendFile(stepSummary, renderGateMarkdown(summary));
  if (jsonFile !== undefined)
    await writeFile(jsonFile, `${JSON.stringify({ passed, rows, ...(extra as object) }, null, 2)}\n`);
}

async function main(argv: string[]): Promise<number> {
  try {
    program.parse(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.code === 'commander.helpDisplayed' || error.code === 'commander.version'
        ? EXIT_PASS
        : EXIT_UNUSABLE;
    }
    throw error;
  }
  const options = program.opts<GateOptions>();
  const startMs = performance.now();
  const usesDefaults = program.args.length === 0 && options.baseline === DEFAULT_BASELINE_DIR;
  const files = program.args.length > 0 ? program.args : await defaultSuite();
  if (files.length === 0) {
    console.error(`error: no scenario files given and none in ${DEFAULT_SUITE_DIR}/`);
    return EXIT_UNUSABLE;
  }
  const baselineDir = resolve(options.baseline);
  const pairs = options.pairs ?? (options.writeBaseline ? DEFAULT_BASELINE_PAIRS : DEFAULT_GATE_PAIRS);

  let entries: GateScenario[];
  let baseline: GateBaseline | undefined;
  try {
    entries = await loadGateScenarios(files, {
      cost: options.maxSlowdown,
      throughput: options.maxThroughputSlowdown,
    });
    if (!options.writeBaseline) {
      baseline = await readBaseline(baselineDir, {
        reference: REFERENCE_VERSION,
        scenarios: entries.map((entry) => ({
          name: entry.loaded.scenario.name,
          fingerprint: entry.fingerprint,
        })),
        rewriteCommand: rewriteCommand(usesDefaults, files, options.baseline),
      });
    }
  } catch (error) {
    if (isRpcError(error)) {
      console.error(`error: ${error.message}`);
      return EXIT_UNUSABLE;
    }
    throw error;
  }

  const correctness = await runScenarios(entries, options.runs);
  if (options.writeBaseline && !correctness.every((outcome) => outcome.passed)) {
    const rows = correctness.map(correctnessTableRow);
    await writeOutputs(rows, false, ['No baseline written: fix the failed checks first.'], options.json, {});
    return EXIT_REGRESSION;
  }
  const measured = await measureAll(entries, pairs, options.sliceMs, correctness);
  const notes = [
    `Timings: ${pairs} pairs of ${options.sliceMs} ms slices per phase, the RPC probe alternating with the reference "${REFERENCE_VERSION}" in one thread; each figure is the RPC's divided by the reference's in the same pair.`,
    'Verdict: bootstrap 95 % interval of the ratio of medians (now ÷ baseline) beyond the limit, and a one-sided Mann-Whitney U test at p < 0.01.',
  ];

  if (options.writeBaseline) {
    const rows = correctness.map(correctnessTableRow);
    if (!correctness.every((outcome) => outcome.passed)) {
      await writeOutputs(rows, false, ['No baseline written: a probe failed.'], options.json, {});
      return EXIT_REGRESSION;
    }
    const written = await writeBaseline(baselineDir, {
      kind: GATE_BASELINE_KIND,
      schemaVersion: GATE_BASELINE_SCHEMA_VERSION,
      reference: REFERENCE_VERSION,
      createdAt: new Date().toISOString(),
      environment: await collectEnvironment(),
      settings: { pairs, sliceMs: options.sliceMs },
      scenarios: entries.map((entry) =>
        scenarioBaselineOf(
          entry.loaded.scenario.name,
          entry.loaded.file,
          entry.fingerprint,
          measured.find((scenario) => scenario.name === entry.loaded.scenario.name)?.phases ?? [],
        ),
      ),
    });
    await writeOutputs(rows, true, [`Baseline written to ${written}.`, ...notes], options.json, {});
    log(`gate: ${((performance.now() - startMs) / 1000).toFixed(1)} s`);
    return EXIT_PASS;
  }

  const performanceRows = await compareWithRemeasure(baseline!, entries, measured, {
    pairs,
    sliceMs: options.sliceMs,
    rounds: options.remeasure,
  });
  const rows = [...correctness.map(correctnessTableRow), ...performanceRows.map(performanceTableRow)];
  const passed = rows.every((row) => !row.failed);
  const elapsedS = (performance.now() - startMs) / 1000;
  await writeOutputs(rows, passed, [...notes, `Gate run took ${elapsedS.toFixed(1)} s.`], options.json, {
    elapsedS,
    performance: performanceRows.map((row) => ({
      scenario: row.scenario,
      phase: row.phase,
      metric: row.metric,
      maxSlowdown: row.maxSlowdown,
      samples: row.samples,
      ...row.comparison,
    })),
  });
  return passed ? EXIT_PASS : EXIT_REGRESSION;
}

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = EXIT_UNUSABLE;
  },
);
