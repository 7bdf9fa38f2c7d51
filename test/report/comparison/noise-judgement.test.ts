import assert from 'node:assert/strict';
import { test } from 'node:test';
import { judgeChange, MIN_INTERVALS } from '../../../src/report/comparison/noise-judgement.ts';
import { COMPARED_METRICS } from '../../../src/report/comparison/run-comparison.ts';
import { bootstrapDifference } from '../../../src/stats/bootstrap.ts';
import { createSeededRandom } from '../../../src/util/seeded-random.ts';
import { makeRunResult } from '../../fixtures/report-results.ts';

/** `n` draws around `centre` with a spread of ±`spread` (uniform), from a seeded generator. */
function sample(n: number, centre: number, spread: number, seed: number): number[] {
  const random = createSeededRandom(seed);
  return Array.from({ length: n }, () => centre + (random() * 2 - 1) * spread);
}

test('bootstrapDifference: the interval holds the true difference of medians and of means', () => {
  // 90 to 110 in steps of 0.1, and the same 30 higher in another order: medians exactly 30 apart.
  const a = Array.from({ length: 201 }, (_, i) => 90 + i / 10);
  const b = a.map((value) => value + 30).reverse();
  const median = bootstrapDifference(b, a, 'median');
  assert.ok(Math.abs(median.difference - 30) < 1e-9);
  assert.ok(median.low < 30 && 30 < median.high, `${median.low} … ${median.high}`);
  assert.ok(median.high - median.low < 6, 'narrow with 201 samples of spread 10');
  const zeros = Array.from({ length: 50 }, () => 0);
  const someErrors = zeros.map((_, i) => (i % 5 === 0 ? 10 : 0));
  const mean = bootstrapDifference(someErrors, zeros, 'mean');
  assert.equal(mean.difference, 2);
  assert.ok(mean.low > 0, 'errors in one run out of 10 intervals are not noise against none');
  assert.deepEqual(bootstrapDifference(someErrors, zeros, 'median'), {
    difference: 0,
    low: 0,
    high: 0,
    confidence: 0.95,
  });
  assert.ok(Number.isNaN(bootstrapDifference([], zeros, 'mean').difference));
});

test('judgeChange: a shift beyond the spread is called, one within it is not', () => {
  const a = sample(60, 1_000, 200, 1);
  const same = sample(60, 1_000, 200, 2);
  const slower = sample(60, 2_000, 200, 3);
  const slightly = sample(60, 1_010, 200, 4);
  assert.equal(judgeChange(a, same, 'lower', 'median').verdict, 'unclear');
  assert.equal(judgeChange(a, slightly, 'lower', 'median').verdict, 'unclear');
  const worse = judgeChange(a, slower, 'lower', 'median');
  assert.equal(worse.verdict, 'worse');
  assert.ok(worse.low > 700 && worse.high < 1_300, `${worse.low} … ${worse.high}`);
  assert.equal(judgeChange(a, slower, 'higher', 'median').verdict, 'better');
  assert.equal(judgeChange(slower, a, 'lower', 'median').verdict, 'better');
});

test('judgeChange: too few intervals, or none, give no verdict', () => {
  const few = [1, 2, 3].slice(0, MIN_INTERVALS - 2);
  const many = sample(30, 100, 1, 1);
  const tooFew = judgeChange(few, many, 'lower', 'median');
  assert.equal(tooFew.verdict, 'unclear');
  assert.equal(tooFew.reason, 'too few intervals');
  assert.equal(judgeChange([], many, 'lower', 'median').verdict, 'n/a');
  // Identical samples: no spread, no change.
  assert.equal(judgeChange(many, many, 'lower', 'median').verdict, 'unclear');
});

function verdicts(a: ReturnType<typeof makeRunResult>, b: ReturnType<typeof makeRunResult>) {
  const found: Record<string, string> = {};
  a.phases.forEach((phase, p) => {
    for (const metric of COMPARED_METRICS) {
      const other = b.phases[p]!;
      found[`${phase.label} ${metric.key}`] = metric.judge(phase, other).verdict;
    }
  });
  return found;
}

test('two results of the same system differ only by noise: no clear change anywhere', () => {
  // Different seeds: every latency, every interval's count and every error's place differ.
  for (const seed of [2, 3, 4]) {
    const found = verdicts(makeRunResult({ seed: 1 }), makeRunResult({ seed }));
    const called = Object.entries(found).filter(([, verdict]) => verdict !== 'unclear');
    assert.deepEqual(called, [], `seed ${seed}`);
  }
});

test('a system twice as slow is worse in throughput and latency, and nothing else is called', () => {
  const found = verdicts(makeRunResult({ seed: 1 }), makeRunResult({ seed: 2, latencyFactor: 2 }));
  for (const phase of ['cached', 'dial']) {
    assert.equal(found[`${phase} callsPerSecond`], 'worse', phase);
    assert.equal(found[`${phase} p50Us`], 'worse', phase);
    assert.equal(found[`${phase} p90Us`], 'worse', phase);
    assert.equal(found[`${phase} p99Us`], 'worse', phase);
    assert.equal(found[`${phase} jain`], 'unclear', phase);
    assert.equal(found[`${phase} errors`], 'unclear', phase);
  }
  const back = verdicts(makeRunResult({ seed: 2, latencyFactor: 2 }), makeRunResult({ seed: 1 }));
  assert.equal(back['cached callsPerSecond'], 'better');
  assert.equal(back['cached p50Us'], 'better');
});
