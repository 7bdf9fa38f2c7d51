// The gate's algorithm with fake measurements: which phases are measured again, how often, and
// the verdict after. Nothing is run or measured; only the scenario file and the baseline are read.
import assert from 'node:assert/strict';
import { access, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { baselinePath, writeBaseline } from '../../src/gate/baseline.ts';
import { mergePhaseSamples } from '../../src/gate/measure/interleave.ts';
import { REFERENCE_VERSION } from '../../src/gate/measure/reference.ts';
import { phaseKey, type RoundsOutcome } from '../../src/gate/measure/rounds.ts';
import {
  type GateDecision,
  type GateDependencies,
  type GateOutcome,
  type GateRunOptions,
  runGate,
} from '../../src/gate/run-gate.ts';
import type { PhaseSamples } from '../../src/gate/samples.ts';
import { loadGateScenarios } from '../../src/gate/suite.ts';
import type { PerformanceVerdict } from '../../src/gate/verdict.ts';
import { agreeing, fakePhase, fakeResult } from '../fixtures/gate-results.ts';

const SCENARIO_FILE = 'test/fixtures/gate-scenarios/two-phases.ts';
const SCENARIO = 'gate-two-phases';
const PHASES = ['roundrobin', 'random'] as const;
type Phase = (typeof PHASES)[number];
const LIMITS = { cost: 0.1, throughput: 0.25 };
const PAIRS = 30;

/**
 * `count` figures evenly spread over centre ± width (a fraction): a noise-free stand-in for the
 * pairs of one round, so the verdicts below do not hang on a random draw.
 */
function spread(centre: number, width: number, count = PAIRS): number[] {
  return Array.from({ length: count }, (_, i) => centre * (1 + width * ((i / (count - 1)) * 2 - 1)));
}

/** One round of one phase: cost around `cost` × the baseline's, throughput as the baseline's. */
function roundSamples(phase: string, cost: { centre: number; width: number }): PhaseSamples {
  return {
    phase,
    cost: spread(cost.centre, cost.width),
    throughput: spread(1, 0.03),
    raw: {
      rpcCallsPerSecond: 100_000,
      rpcCpuUsPerCall: 10 * cost.centre,
      referenceCallsPerSecond: 200_000,
      referenceCpuUsPerCall: 10,
    },
  };
}

/** Clearly the same as the baseline. */
const SAME = { centre: 1, width: 0.03 };
/** 30 % more CPU per call: beyond the 10 % limit by far. */
const REGRESSED = { centre: 1.3, width: 0.03 };
/** 15 % more: a regression on its own, but a round at SAME would take it back. */
const SLIGHTLY_REGRESSED = { centre: 1.15, width: 0.03 };
const FASTER = { centre: 0.95, width: 0.03 };
/** 9 % more, widely spread: the interval straddles the 10 % limit however often it is measured. */
const BORDERLINE = { centre: 1.09, width: 0.08 };

/** What each measurement of each phase gives: by phase, one entry per call (the last repeats). */
type Plan = Partial<Record<Phase, { centre: number; width: number }[]>>;

interface FakeMeasure {
  measureRounds: GateDependencies['measureRounds'];
  /** The phases each call measured: the first is the initial rounds, then the re-measurements. */
  calls: string[][];
}

function fakeMeasure(plan: Plan, failing: readonly Phase[] = []): FakeMeasure {
  const calls: string[][] = [];
  const measureRounds: GateDependencies['measureRounds'] = async (
    targets,
    options,
    into: RoundsOutcome = { samples: new Map(), failures: [] },
  ) => {
    const call = calls.length;
    calls.push(targets.map((target) => target.spec.label));
    for (let round = 0; round < options.rounds; round++) {
      for (const target of targets) {
        const phase = target.spec.label as Phase;
        if (failing.includes(phase)) {
          into.failures.push({
            scenario: target.scenario,
            phase,
            message: `${phase}: 3 of 12000 probe calls failed (ERR_CONN_CLOSED)`,
          });
          continue;
        }
        const steps = plan[phase] ?? [SAME];
        const measured = roundSamples(phase, steps[Math.min(call, steps.length - 1)]!);
        const key = phaseKey(target.scenario, phase);
        const previous = into.samples.get(key);
        into.samples.set(key, previous === undefined ? measured : mergePhaseSamples(previous, measured));
        options.onMeasured?.(target, round, options.rounds, 1);
      }
    }
    return into;
  };
  return { measureRounds, calls };
}

/** A run of the scenario with the given phases, named as the scenario. */
function runOf(...phases: ReturnType<typeof fakePhase>[]) {
  const result = fakeResult(phases);
  return { ...result, scenario: { ...result.scenario, file: SCENARIO_FILE, name: SCENARIO } };
}

/** Every exact check passes: round robin split evenly, no call lost. */
async function cleanRun() {
  return runOf(...PHASES.map((phase) => fakePhase(phase, 10, agreeing([5, 5]))));
}

let dir: string;
let baselineDir: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rpcbench-gate-run-'));
  baselineDir = join(dir, 'baseline');
  const [scenario] = await loadGateScenarios([SCENARIO_FILE], LIMITS);
  await writeBaseline(baselineDir, REFERENCE_VERSION, {
    createdAt: '2026-01-01T00:00:00.000Z',
    environment: fakeResult([]).environment,
    settings: { pairs: PAIRS, windowMs: 100 },
    scenarios: [
      {
        name: SCENARIO,
        file: SCENARIO_FILE,
        fingerprint: scenario!.fingerprint,
        phases: PHASES.map((phase) => roundSamples(phase, SAME)),
      },
    ],
  });
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

function options(overrides: Partial<GateRunOptions> = {}): GateRunOptions {
  return {
    files: [SCENARIO_FILE],
    baselineDir,
    writeBaseline: false,
    limits: LIMITS,
    rounds: 1,
    pairs: PAIRS,
    windowMs: 100,
    remeasure: 2,
    runs: 1,
    rewriteCommand: 'npm run bench:baseline',
    ...overrides,
  };
}

function decided(outcome: GateOutcome): GateDecision {
  assert.notEqual(outcome.verdict, 'unusable', outcome.verdict === 'unusable' ? outcome.message : '');
  return outcome as GateDecision;
}

/** The final cost verdict of each phase. */
function costVerdicts(outcome: GateDecision): Record<string, PerformanceVerdict> {
  return Object.fromEntries(
    outcome.performance
      .filter((row) => row.metric === 'cost')
      .map((row) => [row.phase, row.comparison.verdict]),
  );
}

async function gate(plan: Plan, overrides: Partial<GateRunOptions> = {}, failing: readonly Phase[] = []) {
  const measure = fakeMeasure(plan, failing);
  const log: string[] = [];
  const outcome = decided(
    await runGate(
      { ...options(overrides), log: (line) => log.push(line) },
      { measureRounds: measure.measureRounds, runScenario: cleanRun },
    ),
  );
  return { outcome, calls: measure.calls, log };
}

test('every phase clearly fine: no extra round, pass', async () => {
  const { outcome, calls } = await gate({});
  assert.deepEqual(calls, [[...PHASES]]);
  assert.equal(outcome.verdict, 'pass');
  assert.equal(outcome.passed, true);
  assert.deepEqual(costVerdicts(outcome), { roundrobin: 'ok', random: 'ok' });
  assert.equal(outcome.performance.length, 4, '2 phases × 2 metrics');
  assert.ok(outcome.rows.every((row) => !row.failed));
  assert.ok(outcome.notes.some((note) => /^Gate run took \d+\.\d s\.$/.test(note)));
  assert.equal((outcome.jsonExtra.performance as unknown[]).length, 4);
});

test('a regression that persists is confirmed by exactly one round of that phase, then fails', async () => {
  const { outcome, calls, log } = await gate({ random: [REGRESSED] });
  assert.deepEqual(calls, [[...PHASES], ['random']]);
  assert.equal(outcome.verdict, 'fail');
  assert.deepEqual(costVerdicts(outcome), { roundrobin: 'ok', random: 'regression' });
  const failed = outcome.rows.filter((row) => row.failed);
  assert.equal(failed.length, 1);
  assert.match(failed[0]!.verdict, /^REGRESSION: 30\.0 % slower, limit 10\.0 %$/);
  assert.match(failed[0]!.now, /\(n=60\)$/, 'the confirming round is pooled with the first');
  assert.ok(log.includes(`${SCENARIO} › random: not clear yet, one more round`));
});

test('a suspected regression that the confirming round takes back passes', async () => {
  const { outcome, calls } = await gate({ roundrobin: [SLIGHTLY_REGRESSED, FASTER] }, { remeasure: 1 });
  assert.deepEqual(calls, [[...PHASES], ['roundrobin']]);
  assert.equal(outcome.verdict, 'pass');
  assert.deepEqual(costVerdicts(outcome), { roundrobin: 'ok', random: 'ok' });
});

test('an unsure verdict is measured again until the remeasure rounds are used, then decided', async () => {
  const { outcome, calls } = await gate({ roundrobin: [BORDERLINE] }, { remeasure: 2 });
  assert.deepEqual(calls, [[...PHASES], ['roundrobin'], ['roundrobin']]);
  // The point estimate, 9 % more, is within the limit: slower, not a regression.
  assert.deepEqual(costVerdicts(outcome), { roundrobin: 'slower', random: 'ok' });
  assert.equal(outcome.verdict, 'pass');

  const more = await gate({ roundrobin: [BORDERLINE] }, { remeasure: 4 });
  assert.equal(more.calls.length, 5, 'one initial measurement and four more rounds');

  const none = await gate({ roundrobin: [BORDERLINE] }, { remeasure: 0 });
  assert.deepEqual(none.calls, [[...PHASES]]);
  assert.deepEqual(costVerdicts(none.outcome), { roundrobin: 'slower', random: 'ok' });
});

test('an unsure verdict stops being measured once it is sure', async () => {
  const { outcome, calls } = await gate({ roundrobin: [BORDERLINE, SAME] }, { remeasure: 3 });
  assert.deepEqual(calls, [[...PHASES], ['roundrobin']]);
  assert.deepEqual(costVerdicts(outcome), { roundrobin: 'slower', random: 'ok' });
  assert.equal(outcome.verdict, 'pass');
});

test('writing a baseline: every check passed, so the measured samples are written', async () => {
  const target = join(dir, 'written');
  const outcome = decided(
    await runGate(options({ writeBaseline: true, baselineDir: target, rounds: 2 }), {
      measureRounds: fakeMeasure({}).measureRounds,
      runScenario: cleanRun,
    }),
  );
  assert.equal(outcome.verdict, 'pass');
  assert.match(outcome.notes[0]!, /^Baseline for ".+" written to .*gate-baseline\.json in \d+\.\d s\.$/);
  const [written] = JSON.parse(await readFile(baselinePath(target), 'utf8')).machines;
  assert.equal(written.settings.pairs, 2 * PAIRS);
  assert.deepEqual(
    written.scenarios[0].phases.map((phase: PhaseSamples) => [phase.phase, phase.cost.length]),
    [
      ['roundrobin', 2 * PAIRS],
      ['random', 2 * PAIRS],
    ],
  );
});

test('a failed correctness check while writing a baseline: nothing measured or written, fail', async () => {
  const target = join(dir, 'not-written');
  const measure = fakeMeasure({});
  const outcome = decided(
    await runGate(options({ writeBaseline: true, baselineDir: target }), {
      measureRounds: measure.measureRounds,
      // Round robin that sent 9 calls to one server and 1 to the other.
      runScenario: async () => runOf(fakePhase('roundrobin', 10, agreeing([9, 1]))),
    }),
  );
  assert.equal(outcome.verdict, 'fail');
  assert.deepEqual(measure.calls, []);
  assert.deepEqual(outcome.notes, ['No baseline written: fix the failed checks first.']);
  assert.ok(outcome.rows.some((row) => row.failed && /round-robin fairness/.test(row.metric)));
  await assert.rejects(access(baselinePath(target)), { code: 'ENOENT' });
});

test('a scenario run that throws is a failed complete-run check', async () => {
  const outcome = decided(
    await runGate(options(), {
      measureRounds: fakeMeasure({}).measureRounds,
      runScenario: async () => {
        throw new Error('server thread died');
      },
    }),
  );
  assert.equal(outcome.verdict, 'fail');
  const failed = outcome.rows.filter((row) => row.failed);
  assert.equal(failed.length, 1);
  assert.equal(failed[0]!.metric, `${SCENARIO} › run completed`);
  assert.equal(failed[0]!.now, 'error: server thread died');
});

test('a probe failure is a complete-run failure row, and the phase gets no timing rows', async () => {
  const { outcome, calls } = await gate({}, {}, ['random']);
  assert.deepEqual(calls, [[...PHASES]]);
  assert.equal(outcome.verdict, 'fail');
  const failed = outcome.rows.filter((row) => row.failed);
  assert.deepEqual(
    failed.map((row) => [row.metric, row.baseline, row.now]),
    [
      [
        `${SCENARIO} › random › run completed`,
        'every probe call succeeds',
        'random: 3 of 12000 probe calls failed (ERR_CONN_CLOSED)',
      ],
    ],
  );
  assert.deepEqual(costVerdicts(outcome), { roundrobin: 'ok' });
});

test('a probe failure while writing a baseline writes none', async () => {
  const target = join(dir, 'probe-failed');
  const outcome = decided(
    await runGate(options({ writeBaseline: true, baselineDir: target }), {
      measureRounds: fakeMeasure({}, ['roundrobin']).measureRounds,
      runScenario: cleanRun,
    }),
  );
  assert.equal(outcome.verdict, 'fail');
  assert.deepEqual(outcome.notes, ['No baseline written: a probe failed.']);
  await assert.rejects(access(baselinePath(target)), { code: 'ENOENT' });
});

test('a missing baseline is unusable, before anything runs', async () => {
  let ran = false;
  const outcome = await runGate(options({ baselineDir: join(dir, 'nowhere') }), {
    measureRounds: fakeMeasure({}).measureRounds,
    runScenario: async () => {
      ran = true;
      return cleanRun();
    },
  });
  assert.equal(outcome.verdict, 'unusable');
  assert.match(
    outcome.verdict === 'unusable' ? outcome.message : '',
    /no baseline at .*npm run bench:baseline/,
  );
  assert.equal(ran, false);
});
