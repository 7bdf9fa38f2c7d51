import { appendFile, readdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Command, InvalidArgumentError as CommanderArgumentError, CommanderError } from 'commander';
import {
  GATE_BASELINE_KIND,
  GATE_BASELINE_SCHEMA_VERSION,
  type GateBaseline,
  readBaseline,
  scenarioBaselineOf,
  writeBaseline,
} from '../gate/baseline.ts';
import {
  comparePerformance,
  type PerformanceRow,
  phasesToRemeasure,
  type ScenarioSamples,
} from '../gate/compare.ts';
import { type CorrectnessOutcome, checkRun } from '../gate/correctness.ts';
import {
  DEFAULT_BASELINE_ROUNDS,
  DEFAULT_GATE_ROUNDS,
  DEFAULT_PAIRS_PER_ROUND,
  DEFAULT_SLICE_MS,
} from '../gate/measure/measure-phase.ts';
import { REFERENCE_VERSION } from '../gate/measure/reference.ts';
import { measureRounds, type PhaseTarget, phaseKey, type RoundsOutcome } from '../gate/measure/rounds.ts';
import type { PhaseSamples } from '../gate/samples.ts';
import { type GateScenario, loadGateScenarios } from '../gate/suite.ts';
import { outcomeLine, renderGateMarkdown } from '../gate/summary.ts';
import { correctnessTableRow, performanceTableRow, renderTextTable, type TableRow } from '../gate/table.ts';
import { DEFAULT_ALPHA, DEFAULT_MAX_SLOWDOWN, DEFAULT_MAX_THROUGHPUT_SLOWDOWN } from '../gate/verdict.ts';
import { runScenario } from '../harness/runner.ts';
import { collectEnvironment } from '../result/environment.ts';
import type { RunResult } from '../result/result-schema.ts';
import { isRpcError } from '../util/errors.ts';
import { runProgram } from './run-program.ts';

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
  rounds?: number;
  pairs: number;
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
const integerFrom = (name: string, least: number) => (text: string) => {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < least) {
    throw new CommanderArgumentError(`${name} must be an integer of at least ${least}`);
  }
  return value;
};

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
    '--rounds <n>',
    `rounds over all phases, each phase in a fresh thread (default ${DEFAULT_GATE_ROUNDS}, ${DEFAULT_BASELINE_ROUNDS} with --write-baseline)`,
    integerFrom('--rounds', 1),
  )
  .option(
    '--pairs <n>',
    'RPC/reference slice pairs per phase in each round',
    integerFrom('--pairs', 1),
    DEFAULT_PAIRS_PER_ROUND,
  )
  .option('--slice-ms <ms>', 'length of each slice', positiveNumber('--slice-ms'), DEFAULT_SLICE_MS)
  .option(
    '--remeasure <rounds>',
    'further rounds at most for phases whose verdict is unsure or a suspected regression',
    integerFrom('--remeasure', 0),
    DEFAULT_REMEASURE_ROUNDS,
  )
  .option(
    '--runs <n>',
    'runs of each scenario for the exact checks and thresholds',
    integerFrom('--runs', 1),
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
async function runScenarios(scenarios: readonly GateScenario[], runs: number): Promise<CorrectnessOutcome[]> {
  const outcomes: CorrectnessOutcome[] = [];
  for (const scenario of scenarios) {
    const name = scenario.loaded.scenario.name;
    for (let run = 1; run <= runs; run++) {
      log(`${name}: scenario run ${run}/${runs}`);
      let result: RunResult;
      try {
        result = await runScenario(scenario.loaded);
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

function targetsOf(scenarios: readonly GateScenario[]): PhaseTarget[] {
  return scenarios.flatMap((scenario) =>
    scenario.specs.map((spec) => ({ scenario: scenario.loaded.scenario.name, spec })),
  );
}

function logMeasured(pairs: number) {
  return (target: PhaseTarget, round: number, rounds: number, elapsedMs: number): void => {
    log(
      `round ${round + 1}/${rounds}: ${target.scenario} › ${target.spec.label}: ${pairs} pairs in ${(elapsedMs / 1000).toFixed(1)} s`,
    );
  };
}

/** The measured samples by scenario, in the order of the scenario files. */
function scenarioSamples(scenarios: readonly GateScenario[], outcome: RoundsOutcome): ScenarioSamples[] {
  return scenarios.map((scenario) => {
    const name = scenario.loaded.scenario.name;
    const phases: PhaseSamples[] = [];
    for (const spec of scenario.specs) {
      const samples = outcome.samples.get(phaseKey(name, spec.label));
      if (samples !== undefined) phases.push(samples);
    }
    return { name, phases };
  });
}

/** A probe whose calls failed: a failure of the code under test. */
function failureOutcomes(outcome: RoundsOutcome): CorrectnessOutcome[] {
  return outcome.failures.map((failure) => ({
    scenario: failure.scenario,
    phase: failure.phase,
    check: 'complete-run',
    expected: 'every probe call succeeds',
    actual: failure.message,
    passed: false,
  }));
}

/**
 * Compares with the baseline. Phases whose verdict is unsure, or that look like a regression the
 * first time, get another round (pooled with the earlier pairs) before the final verdict.
 */
async function compareWithRemeasure(
  baseline: GateBaseline,
  scenarios: readonly GateScenario[],
  outcome: RoundsOutcome,
  options: { pairs: number; sliceMs: number; remeasure: number },
): Promise<PerformanceRow[]> {
  const limits = new Map(scenarios.map((scenario) => [scenario.loaded.scenario.name, scenario.limits]));
  const targets = targetsOf(scenarios);
  for (let extra = 0; ; extra++) {
    const final = extra >= options.remeasure;
    const rows = comparePerformance(baseline, scenarioSamples(scenarios, outcome), { limits, final });
    if (final) return rows;
    const unsure = new Set(
      rows
        .filter((row) => row.comparison.verdict === 'unsure')
        .map((row) => phaseKey(row.scenario, row.phase)),
    );
    // A suspected regression is confirmed once; an unsure verdict gets rounds until it is sure.
    const todo = phasesToRemeasure(rows).filter(
      (target) => extra === 0 || unsure.has(phaseKey(target.scenario, target.phase)),
    );
    if (todo.length === 0) {
      return comparePerformance(baseline, scenarioSamples(scenarios, outcome), { limits, final: true });
    }
    const wanted = new Set(todo.map((target) => phaseKey(target.scenario, target.phase)));
    const again = targets.filter((target) => wanted.has(phaseKey(target.scenario, target.spec.label)));
    for (const target of again)
      log(`${target.scenario} › ${target.spec.label}: not clear yet, one more round`);
    await measureRounds(
      again,
      { rounds: 1, pairs: options.pairs, sliceMs: options.sliceMs, onMeasured: logMeasured(options.pairs) },
      outcome,
    );
  }
}

async function writeOutputs(
  rows: TableRow[],
  passed: boolean,
  notes: string[],
  jsonFile: string | undefined,
  extra: Record<string, unknown>,
): Promise<void> {
  const summary = { passed, rows, notes };
  console.log(outcomeLine(summary));
  console.log(renderTextTable(rows));
  for (const note of notes) console.log(`  ${note}`);
  const stepSummary = process.env.GITHUB_STEP_SUMMARY;
  if (stepSummary !== undefined && stepSummary !== '') {
    await appendFile(stepSummary, renderGateMarkdown(summary));
  }
  if (jsonFile !== undefined) {
    await writeFile(jsonFile, `${JSON.stringify({ passed, rows, ...extra }, null, 2)}\n`);
  }
}

function methodNotes(rounds: number, pairs: number, sliceMs: number): string[] {
  return [
    `Timings: ${rounds} rounds × ${pairs} pairs of ${sliceMs} ms slices per phase, each round in a fresh thread; in each pair the RPC probe and the reference "${REFERENCE_VERSION}" run one after the other, and the RPC's figure is divided by the reference's.`,
    `Verdict: a regression when the bootstrap 95 % interval of the ratio of medians (now ÷ baseline) lies beyond the limit and a one-sided Mann-Whitney U test gives p < ${DEFAULT_ALPHA}; an unsure phase is measured again.`,
  ];
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
  const rounds = options.rounds ?? (options.writeBaseline ? DEFAULT_BASELINE_ROUNDS : DEFAULT_GATE_ROUNDS);

  let scenarios: GateScenario[];
  let baseline: GateBaseline | undefined;
  try {
    scenarios = await loadGateScenarios(files, {
      cost: options.maxSlowdown,
      throughput: options.maxThroughputSlowdown,
    });
    if (!options.writeBaseline) {
      baseline = await readBaseline(baselineDir, {
        reference: REFERENCE_VERSION,
        scenarios: scenarios.map((scenario) => ({
          name: scenario.loaded.scenario.name,
          fingerprint: scenario.fingerprint,
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

  const correctness = await runScenarios(scenarios, options.runs);
  if (options.writeBaseline && !correctness.every((outcome) => outcome.passed)) {
    const rows = correctness.map(correctnessTableRow);
    await writeOutputs(rows, false, ['No baseline written: fix the failed checks first.'], options.json, {});
    return EXIT_REGRESSION;
  }
  const measured = await measureRounds(targetsOf(scenarios), {
    rounds,
    pairs: options.pairs,
    sliceMs: options.sliceMs,
    onMeasured: logMeasured(options.pairs),
  });
  const notes = methodNotes(rounds, options.pairs, options.sliceMs);

  if (options.writeBaseline) {
    const failures = failureOutcomes(measured);
    const rows = [...correctness, ...failures].map(correctnessTableRow);
    if (failures.length > 0) {
      await writeOutputs(rows, false, ['No baseline written: a probe failed.'], options.json, {});
      return EXIT_REGRESSION;
    }
    const samples = scenarioSamples(scenarios, measured);
    const written = await writeBaseline(baselineDir, {
      kind: GATE_BASELINE_KIND,
      schemaVersion: GATE_BASELINE_SCHEMA_VERSION,
      reference: REFERENCE_VERSION,
      createdAt: new Date().toISOString(),
      environment: await collectEnvironment(),
      settings: { pairs: rounds * options.pairs, sliceMs: options.sliceMs },
      scenarios: scenarios.map((scenario, index) =>
        scenarioBaselineOf(
          scenario.loaded.scenario.name,
          scenario.loaded.file,
          scenario.fingerprint,
          samples[index]!.phases,
        ),
      ),
    });
    const elapsedS = (performance.now() - startMs) / 1000;
    await writeOutputs(
      rows,
      true,
      [`Baseline written to ${written} in ${elapsedS.toFixed(1)} s.`, ...notes],
      options.json,
      { elapsedS },
    );
    return EXIT_PASS;
  }

  const performanceRows = await compareWithRemeasure(baseline!, scenarios, measured, {
    pairs: options.pairs,
    sliceMs: options.sliceMs,
    remeasure: options.remeasure,
  });
  const rows = [
    ...[...correctness, ...failureOutcomes(measured)].map(correctnessTableRow),
    ...performanceRows.map(performanceTableRow),
  ];
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

runProgram(import.meta.url, 'gate', () => main(process.argv), { crashExitCode: EXIT_UNUSABLE });
