import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ScenarioError } from '../../src/scenario/errors.ts';
import { applyOverrides } from '../../src/scenario/overrides.ts';
import { validateScenario } from '../../src/scenario/scenario-loader.ts';
import { phaseDurationMs, SCENARIO_DEFAULTS } from '../../src/scenario/scenario-schema.ts';

function rejected(load: unknown, field: string, pattern: RegExp): void {
  assert.throws(
    () => validateScenario({ name: 'x', load }, 'x.ts'),
    (error: unknown) => {
      assert.ok(error instanceof ScenarioError);
      assert.equal(error.field, field, error.message);
      assert.match(error.message, pattern);
      return true;
    },
  );
}

test('stages resolve to their peak and start level, and the phase lasts their sum', () => {
  const closed = validateScenario(
    {
      name: 'x',
      load: {
        model: 'closed',
        stages: [
          { durationMs: 1_000, concurrency: 40 },
          { durationMs: 500, concurrency: 0 },
        ],
      },
    },
    'x.ts',
  );
  assert.deepEqual(closed.load, {
    model: 'closed',
    concurrency: 40,
    startConcurrency: 1,
    stages: [
      { durationMs: 1_000, concurrency: 40 },
      { durationMs: 500, concurrency: 0 },
    ],
  });
  assert.equal(phaseDurationMs(closed), 1_500);
  const open = validateScenario(
    {
      name: 'x',
      load: { model: 'open', startRatePerSecond: 10, stages: [{ durationMs: 2_000, ratePerSecond: 5 }] },
    },
    'x.ts',
  );
  assert.equal(open.load.model === 'open' && open.load.ratePerSecond, 10);
  assert.equal(phaseDurationMs(open), 2_000);
  assert.equal(phaseDurationMs(validateScenario({ name: 'x' }, 'x.ts')), SCENARIO_DEFAULTS.durationMs);
});

test('a resolved scenario with stages validates again unchanged, as command-line overrides need', () => {
  const loaded = {
    file: 'x.ts',
    scenario: validateScenario(
      { name: 'x', load: { model: 'open', stages: [{ durationMs: 1_000, ratePerSecond: 300 }] } },
      'x.ts',
    ),
  };
  const overridden = applyOverrides(loaded, { calls: 10 });
  assert.deepEqual(overridden.scenario.load, loaded.scenario.load);
  assert.equal(overridden.scenario.calls, 10);
});

test('stages and a fixed level that disagree, a start without stages, and an all-zero ramp are refused', () => {
  rejected(
    { model: 'closed', concurrency: 10, stages: [{ durationMs: 100, concurrency: 8 }] },
    'load.concurrency',
    /with stages, concurrency is their peak \(8\): leave it out/,
  );
  rejected(
    { model: 'closed', startConcurrency: 2 },
    'load.startConcurrency',
    /startConcurrency needs stages/,
  );
  rejected({ model: 'open', stages: [{ durationMs: 100, ratePerSecond: 0 }] }, 'load.stages', /above 0/);
  rejected({ model: 'open' }, 'load.ratePerSecond', /is required \(or give stages\)/);
  rejected({ model: 'open', stages: [] }, 'load.stages', /at least one stage/);
  rejected(
    { model: 'open', stages: [{ durationMs: 0, ratePerSecond: 5 }] },
    'load.stages.0.durationMs',
    /positive/,
  );
});

test('a search takes objectives in threshold syntax, without a phase, and bounds that leave room', () => {
  const scenario = validateScenario({ name: 'x', load: { model: 'search', slo: 'p99 < 5ms' } }, 'x.ts');
  assert.deepEqual(scenario.load, {
    model: 'search',
    slo: ['p99 < 5ms'],
    startRatePerSecond: SCENARIO_DEFAULTS.searchStartRatePerSecond,
    maxRatePerSecond: SCENARIO_DEFAULTS.searchMaxRatePerSecond,
    stepDurationMs: SCENARIO_DEFAULTS.searchStepDurationMs,
    stepWarmupMs: SCENARIO_DEFAULTS.searchStepWarmupMs,
    minCallsPerStep: SCENARIO_DEFAULTS.searchMinCallsPerStep,
    maxSteps: SCENARIO_DEFAULTS.searchMaxSteps,
    maxSearchMs: SCENARIO_DEFAULTS.searchMaxMs,
    precision: SCENARIO_DEFAULTS.searchPrecision,
    repeats: SCENARIO_DEFAULTS.searchRepeats,
    minAchievedFraction: SCENARIO_DEFAULTS.searchMinAchievedFraction,
    maxInFlight: SCENARIO_DEFAULTS.maxInFlight,
  });
  rejected({ model: 'search', slo: 'p99 < 5' }, 'load.slo.0', /needs a unit/);
  rejected({ model: 'search', slo: ['roundrobin: p99 < 5ms'] }, 'load.slo.0', /without a phase/);
  rejected({ model: 'search', slo: 'p99<5ms', maxSteps: 3, repeats: 3 }, 'load.repeats', /below maxSteps/);
  rejected(
    { model: 'search', slo: 'p99<5ms', startRatePerSecond: 10, maxRatePerSecond: 5 },
    'load.startRatePerSecond',
    /at most/,
  );
});

test('--search replaces the load with a search for the objective, keeping an open load maxInFlight', () => {
  const loaded = {
    file: 'x.ts',
    scenario: validateScenario(
      { name: 'x', load: { model: 'open', ratePerSecond: 100, maxInFlight: 64 } },
      'x.ts',
    ),
  };
  const { load } = applyOverrides(loaded, { search: 'p99<5ms' }).scenario;
  assert.equal(load.model, 'search');
  assert.deepEqual(load.model === 'search' && [load.slo, load.maxInFlight], [['p99<5ms'], 64]);
  assert.throws(() => applyOverrides(loaded, { search: 'p99 is low' }), ScenarioError);
});
