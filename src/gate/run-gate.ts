import { performance } from 'node:perf_hooks';
import { runScenario } from '../harness/runner.ts';
import { collectEnvironment, cpuModel } from '../result/environment.ts';
import type { RunResult } from '../result/result-schema.ts';
import type { LoadedScenario } from '../scenario/scenario-loader.ts';
import { isRpcError } from '../util/errors.ts';
import {
  type ChosenBaseline,
  type GateBaseline,
  readBaseline,
  scenarioBaselineOf,
  writeBaseline,
} from './baseline.ts';
import {
  comparePerformance,
  type PerformanceRow,
  phasesToRemeasure,
  type ScenarioSamples,
  type SlowdownLimits,
} from './compare.ts';
import { type CorrectnessOutcome, checkRun } from './correctness.ts';
import { REFERENCE_VERSION } from './measure/reference.ts';
import {
  measureRounds,
  type PhaseTarget,
  phaseKey,
  type RoundOptions,
  type RoundsOutcome,
} from './measure/rounds.ts';
import type { PhaseSamples } from './samples.ts';
import { type GateScenario, loadGateScenarios } from './suite.ts';
import type { GateSummary } from './summary.ts';
import { correctnessTableRow, performanceTableRow, type TableRow } from './table.ts';
import { DEFAULT_ALPHA } from './verdict.ts';

export const DEFAULT_REMEASURE_ROUNDS = 2;
export const DEFAULT_SCENARIO_RUNS = 1;

export interface GateRunOptions {
  /** The scenario files, in the order their rows are shown. */
  files: readonly string[];
  /** The folder of the baseline file. */
  baselineDir: string;
  /** Measure and write the baseline instead of comparing with it. */
  writeBaseline: boolean;
  /** The limits of scenarios that set none of their own. */
  limits: SlowdownLimits;
  /** Rounds over all phases, each phase in a fresh thread. */
  rounds: number;
  /** RPC/reference window pairs per phase in each round. */
  pairs: number;
  windowMs: number;
  /** Further rounds at most for phases whose verdict is unsure or a suspected regression. */
  remeasure: number;
  /** Runs of each scenario for the exact checks and thresholds. */
  runs: number;
  /** The command that writes a fitting baseline, named when the baseline does not fit. */
  rewriteCommand: string;
  /** Progress, one line at a time. */
  log?: (message: string) => void;
}

/** What the gate runs and measures with; tests replace them to decide without measuring. */
export interface GateDependencies {
  measureRounds: (
    targets: readonly PhaseTarget[],
    options: RoundOptions,
    into?: RoundsOutcome,
  ) => Promise<RoundsOutcome>;
  runScenario: (loaded: LoadedScenario) => Promise<RunResult>;
}

const REAL_DEPENDENCIES: GateDependencies = {
  measureRounds,
  runScenario: (loaded) => runScenario(loaded),
};

/** The gate decided: the table, the notes under it and what --json adds. */
export interface GateDecision extends GateSummary {
  verdict: 'pass' | 'fail';
  rows: TableRow[];
  notes: string[];
  /** The timing comparisons behind the performance rows (none when writing a baseline). */
  performance: PerformanceRow[];
  /** Written to the --json file after `passed` and `rows`. */
  jsonExtra: Record<string, unknown>;
}

/** The gate cannot decide: the baseline or a scenario file is unusable; the message says why. */
export interface GateUnusable {
  verdict: 'unusable';
  message: string;
}

export type GateOutcome = GateDecision | GateUnusable;

/**
 * Runs the gate: loads the scenarios and (unless writing one) the baseline, runs each scenario for
 * its exact checks, measures every phase in rounds, then compares with the baseline, measuring
 * unclear phases again, or writes the baseline when every check passed. The project's own errors
 * while loading the scenarios or the baseline make the outcome `unusable`; any other error is a
 * bug and is thrown.
 */
export async function runGate(
  options: GateRunOptions,
  dependencies: Partial<GateDependencies> = {},
): Promise<GateOutcome> {
  const deps: GateDependencies = { ...REAL_DEPENDENCIES, ...dependencies };
  const log = options.log ?? (() => {});
  const startMs = performance.now();
  const inputs = await loadInputs(options);
  if ('verdict' in inputs) return inputs;
  const { scenarios, baseline } = inputs;

  const correctness = await runScenarios(scenarios, options.runs, deps, log);
  if (options.writeBaseline && !correctness.every((outcome) => outcome.passed)) {
    return decision(correctness.map(correctnessTableRow), [
      'No baseline written: fix the failed checks first.',
    ]);
  }
  const measured = await deps.measureRounds(targetsOf(scenarios), {
    rounds: options.rounds,
    pairs: options.pairs,
    windowMs: options.windowMs,
    onMeasured: logMeasured(options.pairs, log),
  });
  const elapsedS = (): number => (performance.now() - startMs) / 1000;
  const run: MeasuredRun = { scenarios, correctness, measured, elapsedS };
  if (baseline === undefined) return writeBaselineOf(run, options);
  return compareWithBaseline(run, baseline, options, deps, log);
}

/** The scenarios and, unless writing one, the baseline; unusable when the project refused either. */
async function loadInputs(
  options: GateRunOptions,
): Promise<{ scenarios: GateScenario[]; baseline: ChosenBaseline | undefined } | GateUnusable> {
  try {
    const scenarios = await loadGateScenarios(options.files, options.limits);
    if (options.writeBaseline) return { scenarios, baseline: undefined };
    const baseline = await readBaseline(options.baselineDir, {
      reference: REFERENCE_VERSION,
      scenarios: scenarios.map((scenario) => ({
        name: scenario.loaded.scenario.name,
        fingerprint: scenario.fingerprint,
      })),
      cpuModel: cpuModel(),
      rewriteCommand: options.rewriteCommand,
    });
    return { scenarios, baseline };
  } catch (error) {
    if (isRpcError(error)) return { verdict: 'unusable', message: error.message };
    throw error;
  }
}

/** What the scenario runs and the first rounds found, and the seconds since the gate started. */
interface MeasuredRun {
  scenarios: readonly GateScenario[];
  correctness: CorrectnessOutcome[];
  measured: RoundsOutcome;
  elapsedS: () => number;
}

/** Writes the baseline from the rounds measured, unless a probe failed. */
async function writeBaselineOf(run: MeasuredRun, options: GateRunOptions): Promise<GateDecision> {
  const { scenarios, measured } = run;
  const failures = failureOutcomes(measured);
  const rows = [...run.correctness, ...failures].map(correctnessTableRow);
  if (failures.length > 0) return decision(rows, ['No baseline written: a probe failed.']);
  const samples = scenarioSamples(scenarios, measured);
  const environment = await collectEnvironment();
  const written = await writeBaseline(options.baselineDir, REFERENCE_VERSION, {
    createdAt: new Date().toISOString(),
    environment,
    settings: { pairs: options.rounds * options.pairs, windowMs: options.windowMs },
    scenarios: scenarios.map((scenario, index) =>
      scenarioBaselineOf(
        scenario.loaded.scenario.name,
        scenario.loaded.file,
        scenario.fingerprint,
        samples[index]!.phases,
      ),
    ),
  });
  const took = run.elapsedS();
  const notes = methodNotes(options.rounds, options.pairs, options.windowMs);
  const kept =
    written.kept.length === 0
      ? ''
      : ` It also holds the figures of ${written.kept.map((model) => `"${model}"`).join(', ')}.`;
  const done = `Baseline for "${environment.cpuModel}" written to ${written.path} in ${took.toFixed(1)} s.${kept}`;
  return decision(rows, [done, ...notes], {
    jsonExtra: { elapsedS: took },
    passed: true,
  });
}

/** Compares every phase with the baseline, measuring unclear ones again: the decision with its timings. */
async function compareWithBaseline(
  run: MeasuredRun,
  { baseline, notice }: ChosenBaseline,
  options: GateRunOptions,
  deps: GateDependencies,
  log: (message: string) => void,
): Promise<GateDecision> {
  const { scenarios, measured } = run;
  const performanceRows = await compareWithRemeasure(baseline, scenarios, measured, options, deps, log);
  const rows = [
    ...[...run.correctness, ...failureOutcomes(measured)].map(correctnessTableRow),
    ...performanceRows.map(performanceTableRow),
  ];
  const took = run.elapsedS();
  const notes = methodNotes(options.rounds, options.pairs, options.windowMs);
  const machine =
    notice ?? `Baseline measured on "${baseline.environment.cpuModel}" (${baseline.createdAt}).`;
  return decision(rows, [...notes, machine, `Gate run took ${took.toFixed(1)} s.`], {
    performance: performanceRows,
    jsonExtra: {
      elapsedS: took,
      performance: performanceRows.map((row) => ({
        scenario: row.scenario,
        phase: row.phase,
        metric: row.metric,
        maxSlowdown: row.maxSlowdown,
        samples: row.samples,
        ...row.comparison,
      })),
    },
  });
}

/** A decision from its rows: it passes when no row failed, unless told otherwise. */
function decision(
  rows: TableRow[],
  notes: string[],
  more: { passed?: boolean; performance?: PerformanceRow[]; jsonExtra?: Record<string, unknown> } = {},
): GateDecision {
  const passed = more.passed ?? rows.every((row) => !row.failed);
  return {
    verdict: passed ? 'pass' : 'fail',
    passed,
    rows,
    notes,
    performance: more.performance ?? [],
    jsonExtra: more.jsonExtra ?? {},
  };
}

/** Runs each scenario for its exact checks and thresholds; a run that throws is a failure too. */
async function runScenarios(
  scenarios: readonly GateScenario[],
  runs: number,
  deps: GateDependencies,
  log: (message: string) => void,
): Promise<CorrectnessOutcome[]> {
  const outcomes: CorrectnessOutcome[] = [];
  for (const scenario of scenarios) {
    const name = scenario.loaded.scenario.name;
    for (let run = 1; run <= runs; run++) {
      log(`${name}: scenario run ${run}/${runs}`);
      let result: RunResult;
      try {
        result = await deps.runScenario(scenario.loaded);
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

function logMeasured(pairs: number, log: (message: string) => void): RoundOptions['onMeasured'] {
  return (target, round, rounds, elapsedMs) => {
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
 * first time, get another round (pooled with the earlier pairs) before the final verdict: a
 * suspected regression is confirmed once; an unsure verdict gets rounds until it is sure or
 * `remeasure` rounds are used.
 */
async function compareWithRemeasure(
  baseline: GateBaseline,
  scenarios: readonly GateScenario[],
  outcome: RoundsOutcome,
  options: Pick<GateRunOptions, 'pairs' | 'windowMs' | 'remeasure'>,
  deps: GateDependencies,
  log: (message: string) => void,
): Promise<PerformanceRow[]> {
  const limits = new Map(scenarios.map((scenario) => [scenario.loaded.scenario.name, scenario.limits]));
  const targets = targetsOf(scenarios);
  const compare = (final: boolean): PerformanceRow[] =>
    comparePerformance(baseline, scenarioSamples(scenarios, outcome), { limits, final });
  for (let extra = 0; extra < options.remeasure; extra++) {
    const rows = compare(false);
    const unsure = new Set(
      rows
        .filter((row) => row.comparison.verdict === 'unsure')
        .map((row) => phaseKey(row.scenario, row.phase)),
    );
    const wanted = new Set(
      phasesToRemeasure(rows)
        .map((target) => phaseKey(target.scenario, target.phase))
        .filter((key) => extra === 0 || unsure.has(key)),
    );
    if (wanted.size === 0) break;
    const again = targets.filter((target) => wanted.has(phaseKey(target.scenario, target.spec.label)));
    for (const target of again)
      log(`${target.scenario} › ${target.spec.label}: not clear yet, one more round`);
    await deps.measureRounds(
      again,
      {
        rounds: 1,
        pairs: options.pairs,
        windowMs: options.windowMs,
        onMeasured: logMeasured(options.pairs, log),
      },
      outcome,
    );
  }
  return compare(true);
}

function methodNotes(rounds: number, pairs: number, windowMs: number): string[] {
  return [
    `Timings: ${rounds} rounds × ${pairs} pairs of ${windowMs} ms windows per phase, each round in a fresh thread; in each pair the RPC probe and the reference "${REFERENCE_VERSION}" run one after the other, and the RPC's figure is divided by the reference's.`,
    `Verdict: a regression when the bootstrap 95 % interval of the ratio of medians (now ÷ baseline) lies beyond the limit and a one-sided Mann-Whitney U test gives p < ${DEFAULT_ALPHA}; an unsure phase is measured again.`,
  ];
}
