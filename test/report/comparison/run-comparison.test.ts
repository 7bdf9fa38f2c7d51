import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runScenario } from '../../../src/harness/runner.ts';
import { COMPARED_METRICS } from '../../../src/report/comparison/run-comparison.ts';
import { type RunResult, runResultSchema } from '../../../src/result/result-schema.ts';
import { validateScenario } from '../../../src/scenario/scenario-loader.ts';

/**
 * Runs whose true difference is known: the same open-model load (the rate is fixed, so calls/s
 * cannot change) against servers that take 25 ms a call, or four times that: a difference far
 * beyond what a loaded machine's scheduling adds.
 */
async function run(slowFactor: number): Promise<RunResult> {
  const scenario = validateScenario(
    {
      name: 'known-difference',
      servers: {
        count: 2,
        threads: 1,
        behaviour: { serviceTime: { distribution: 'fixed', us: 25_000 }, slowFactor },
      },
      load: { model: 'open', ratePerSecond: 200 },
      durationMs: 2_000,
      warmupMs: 200,
    },
    'inline.ts',
  );
  return runResultSchema.parse(await runScenario({ file: 'inline.ts', scenario }));
}

function verdicts(a: RunResult, b: RunResult): Record<string, string> {
  const [pa, pb] = [a.phases[0]!, b.phases[0]!];
  return Object.fromEntries(COMPARED_METRICS.map((metric) => [metric.key, metric.judge(pa, pb).verdict]));
}

test('real runs: servers four times as slow are worse in latency, not in calls/s; identical runs show no clear change', async () => {
  const first = await run(1);
  const again = await run(1);
  const slower = await run(4);
  const same = verdicts(first, again);
  for (const key of ['callsPerSecond', 'p50Us', 'errors', 'jain'])
    assert.equal(same[key], 'unclear', `same: ${key}`);
  const changed = verdicts(first, slower);
  assert.equal(changed.p50Us, 'worse', JSON.stringify(changed));
  assert.equal(changed.p90Us, 'worse', JSON.stringify(changed));
  for (const key of ['callsPerSecond', 'errors', 'jain'])
    assert.equal(changed[key], 'unclear', `slower: ${key}`);
});
