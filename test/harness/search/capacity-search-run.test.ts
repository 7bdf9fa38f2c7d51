import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runScenario } from '../../../src/harness/runner.ts';
import { runResultSchema } from '../../../src/result/result-schema.ts';
import { validateScenario } from '../../../src/scenario/scenario-loader.ts';

test('a capacity search on servers of known capacity brackets it, within its step bound', async () => {
  // Each call holds one of 8 in-flight slots for 20 ms: at most 8 / 20 ms = 400 calls/s can be
  // sent; beyond it calls are dropped and the achieved rate falls below the offered one.
  const scenario = validateScenario(
    {
      name: 'search-known-knee',
      servers: { count: 2, behaviour: { serviceTime: { distribution: 'fixed', us: 20_000 } } },
      select: 'roundrobin',
      load: {
        model: 'search',
        slo: 'p99 < 500ms',
        startRatePerSecond: 50,
        maxInFlight: 8,
        stepDurationMs: 500,
        stepWarmupMs: 200,
        minCallsPerStep: 0,
        minAchievedFraction: 0.9,
        maxSteps: 12,
        precision: 0.1,
        repeats: 1,
      },
    },
    'inline.ts',
  );
  const result = await runScenario({ file: 'inline.ts', scenario });
  runResultSchema.parse(result);
  const [phase] = result.phases;
  const search = phase!.search!;
  assert.equal(phase!.label, 'roundrobin');
  assert.ok(search.steps.length <= 12, `${search.steps.length} steps`);
  // No more than 400 calls/s can be sent, whatever the machine's load; well below it, all can.
  const found = search.foundRatePerSecond!;
  const failing = search.failingRatePerSecond!;
  assert.ok(found >= 25 && found <= 440, `found ${found}/s`);
  assert.ok(failing > found && failing <= 880, `failing ${failing}/s`);
  assert.ok(failing - found <= 0.1 * found || search.stoppedBy === 'max-steps', search.stoppedBy);
  // The steps are all there, in order: doubling from the start rate until one fails, then bisecting.
  const grown = search.steps.filter((step) => step.kind === 'grow');
  assert.deepEqual(
    grown.map((step) => step.offeredRatePerSecond),
    grown.map((_, index) => 50 * 2 ** index),
  );
  assert.deepEqual(
    grown.map((step) => step.passed),
    grown.map((_, index) => index < grown.length - 1),
  );
  // A step above the capacity fails for what it could not send, not for latency.
  const over = search.steps.find((step) => step.offeredRatePerSecond === failing)!;
  assert.equal(over.passed, false);
  assert.match(over.failure!, /achieved/);
  assert.ok(over.errors > 0, 'calls dropped at maxInFlight');
  // The phase's figures are those of a step at the rate found, and the spread covers its repeats.
  assert.ok(search.spread!.steps >= 1 && search.spread!.steps <= 2);
  assert.ok(search.steps.some((step) => step.offeredRatePerSecond === found && step.calls === phase!.calls));
});
