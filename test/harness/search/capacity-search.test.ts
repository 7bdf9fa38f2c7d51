import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type SearchBounds, searchCapacity } from '../../../src/harness/search/capacity-search.ts';
import { stepDurationMs } from '../../../src/harness/search/search-phase.ts';
import { validateScenario } from '../../../src/scenario/scenario-loader.ts';

const BOUNDS: SearchBounds = {
  startRatePerSecond: 100,
  maxRatePerSecond: 1_000_000,
  maxSteps: 20,
  maxSearchMs: 60_000,
  precision: 0.05,
  repeats: 2,
};

/** A system whose p99 is 1 ms up to its knee and climbs steeply past it: the SLO p99 < 5 ms holds up to the knee. */
function fakeSystem(kneePerSecond: number) {
  const p99Ms = (rate: number) => (rate <= kneePerSecond ? 1 : 1 + (rate - kneePerSecond) / 10);
  const offered: number[] = [];
  const measure = async (rate: number) => {
    offered.push(rate);
    return { passed: p99Ms(rate) < 5, measurement: p99Ms(rate) };
  };
  return { measure, offered };
}

/** A clock that advances one second per reading, so the time bound is tested without waiting. */
function steppingClock(stepMs: number): () => number {
  let nowMs = 0;
  return () => {
    nowMs += stepMs;
    return nowMs;
  };
}

for (const knee of [730, 3_000, 12_345, 250_000]) {
  test(`finds a knee at ${knee}/s within its bracket and the step bound`, async () => {
    const { measure, offered } = fakeSystem(knee);
    const outcome = await searchCapacity(BOUNDS, measure);
    assert.equal(outcome.stoppedBy, 'converged');
    const found = outcome.foundRatePerSecond!;
    const failing = outcome.failingRatePerSecond!;
    // The true capacity (highest passing rate, knee + 40/s) lies in [found, failing).
    assert.ok(found <= knee + 40 && knee + 40 < failing, `[${found}, ${failing}) around ${knee + 40}`);
    assert.ok(failing - found <= BOUNDS.precision * found);
    assert.ok(outcome.steps.length <= BOUNDS.maxSteps);
    assert.equal(offered.length, outcome.steps.length);
    // Every step is recorded; the last two re-measure the rate found.
    assert.deepEqual(
      outcome.steps.slice(-2).map((step) => [step.kind, step.offeredRatePerSecond]),
      [
        ['repeat', found],
        ['repeat', found],
      ],
    );
    assert.ok(outcome.steps.every((step) => step.passed === step.measurement < 5));
  });
}

test('a first step that fails bisects down from it', async () => {
  const { measure } = fakeSystem(30);
  const outcome = await searchCapacity(BOUNDS, measure);
  assert.equal(outcome.steps[0]!.passed, false);
  assert.ok(outcome.foundRatePerSecond! <= 70 && 70 < outcome.failingRatePerSecond!);
});

test('a system that fails at every rate ends at the minimum rate with nothing found', async () => {
  const outcome = await searchCapacity(BOUNDS, async () => ({ passed: false, measurement: 0 }));
  assert.equal(outcome.stoppedBy, 'min-rate');
  assert.equal(outcome.foundRatePerSecond, null);
  assert.ok(outcome.failingRatePerSecond! < 1);
  assert.ok(outcome.steps.every((step) => step.kind !== 'repeat'));
});

test('a system that passes at every rate stops at maxRatePerSecond', async () => {
  const outcome = await searchCapacity({ ...BOUNDS, maxRatePerSecond: 1_000 }, async () => ({
    passed: true,
    measurement: 0,
  }));
  assert.equal(outcome.stoppedBy, 'max-rate');
  assert.equal(outcome.foundRatePerSecond, 1_000);
  assert.equal(outcome.failingRatePerSecond, null);
  assert.deepEqual(
    outcome.steps.map((step) => step.offeredRatePerSecond),
    [100, 200, 400, 800, 1_000, 1_000, 1_000],
  );
});

test('the step bound holds, repeats included, when precision asks for more steps', async () => {
  const { measure } = fakeSystem(3_000);
  const outcome = await searchCapacity({ ...BOUNDS, precision: 1e-9, maxSteps: 10, repeats: 3 }, measure);
  assert.equal(outcome.stoppedBy, 'max-steps');
  assert.equal(outcome.steps.length, 10);
  assert.equal(outcome.steps.filter((step) => step.kind === 'repeat').length, 3);
  assert.ok(outcome.foundRatePerSecond! <= 3_040 && 3_040 < outcome.failingRatePerSecond!);
});

test('no step starts after maxSearchMs', async () => {
  const { measure } = fakeSystem(3_000);
  const outcome = await searchCapacity({ ...BOUNDS, maxSearchMs: 5_000 }, measure, steppingClock(1_000));
  assert.equal(outcome.stoppedBy, 'max-time');
  assert.ok(outcome.steps.length <= 5, `${outcome.steps.length} steps`);
});

test('a stop during a step ends the search with what was measured', async () => {
  let calls = 0;
  const outcome = await searchCapacity(BOUNDS, async () =>
    ++calls > 3 ? null : { passed: true, measurement: 0 },
  );
  assert.equal(outcome.stoppedBy, 'stopped');
  assert.equal(outcome.steps.length, 3);
  assert.equal(outcome.foundRatePerSecond, 400);
});

test('a step at a low rate lasts long enough for minCallsPerStep calls, up to ten times the step', () => {
  const { load } = validateScenario(
    { name: 'x', load: { model: 'search', slo: 'p99<5ms', stepDurationMs: 1_000, minCallsPerStep: 200 } },
    'x.ts',
  );
  assert.ok(load.model === 'search');
  assert.equal(stepDurationMs(load, 1_000), 1_000);
  assert.equal(stepDurationMs(load, 100), 2_000);
  assert.equal(stepDurationMs(load, 1), 10_000);
});
