import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OVERHEAD_BUDGET_PERCENT, runOverheadBench } from '../../src/benchmarks/overhead.ts';

test('the overhead benchmark runs every loop each round and derives its slowdowns from them', async () => {
  const seen: string[] = [];
  const result = await runOverheadBench({
    rounds: 2,
    roundMs: 100,
    onRound: (round, variant) => seen.push(`${round}:${variant}`),
  });
  assert.equal(seen.length, 10);
  for (const variant of ['bare', 'recorded', 'selected', 'harness', 'generated'] as const) {
    assert.equal(result.callsPerSecond[variant].length, 2);
    for (const rate of result.callsPerSecond[variant]) assert.ok(rate > 0, `${variant} made no call`);
    assert.equal(seen.filter((entry) => entry.endsWith(`:${variant}`)).length, 2);
  }
  // The slowdown is the median of per-round ratios to bare: with two rounds, their mean.
  const ratios = result.callsPerSecond.harness.map(
    (rate, round) => rate / result.callsPerSecond.bare[round]!,
  );
  assert.ok(Math.abs(result.harnessCostPercent - (1 - (ratios[0]! + ratios[1]!) / 2) * 100) < 1e-9);
  assert.equal(
    result.passed,
    result.harnessCostPercent <= OVERHEAD_BUDGET_PERCENT &&
      result.generatedCostPercent <= OVERHEAD_BUDGET_PERCENT,
  );
  assert.ok(result.bookkeepingNsPerCall > 0);
  assert.ok(result.liveFiguresMsPerServer > 0);
  assert.ok(result.selectionNsPerCall.p2c > 0);
  assert.ok(result.selectionNsPerCall.peakEwma > 0);
});
