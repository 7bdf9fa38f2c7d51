import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compareMetric } from '../../src/gate/verdict.ts';
import { createSeededRandom } from '../../src/util/seeded-random.ts';

function samples(count: number, centre: number, spread: number, seed: number): number[] {
  const random = createSeededRandom(seed);
  return Array.from({ length: count }, () => centre * (1 + spread * (random() - 0.5) * 2));
}

const cost = { direction: 'lower-is-better', maxSlowdown: 0.1 } as const;
const throughput = { direction: 'higher-is-better', maxSlowdown: 0.1 } as const;

test('a clear 20 % rise in cost is a regression, with the slowdown measured', () => {
  const result = compareMetric(samples(60, 1.2, 0.05, 1), samples(120, 1, 0.05, 2), {
    ...cost,
    final: false,
  });
  assert.equal(result.verdict, 'regression');
  assert.ok(Math.abs(result.slowdown - 0.2) < 0.03, `slowdown ${result.slowdown}`);
  assert.ok(result.slowdownLow > 0.1);
});

test('a 20 % drop in throughput is a regression: the direction is respected', () => {
  const result = compareMetric(samples(60, 1 / 1.2, 0.05, 3), samples(120, 1, 0.05, 4), {
    ...throughput,
    final: false,
  });
  assert.equal(result.verdict, 'regression');
  assert.ok(result.ratio < 0.9);
});

test('identical distributions pass', () => {
  const result = compareMetric(samples(60, 1, 0.05, 5), samples(120, 1, 0.05, 6), { ...cost, final: false });
  assert.equal(result.verdict, 'ok');
  assert.ok(result.slowdownHigh < 0.1);
});

test('a significant change within the limit is slower, not a regression; a gain is faster', () => {
  const base = samples(120, 1, 0.02, 7);
  assert.equal(compareMetric(samples(60, 1.04, 0.02, 8), base, { ...cost, final: false }).verdict, 'slower');
  assert.equal(compareMetric(samples(60, 0.9, 0.02, 9), base, { ...cost, final: false }).verdict, 'faster');
});

test('an interval straddling the limit is unsure until no more rounds can be run', () => {
  // Wide noise around an 11 % slowdown: the interval spans the 10 % limit.
  const now = samples(12, 1.11, 0.3, 10);
  const base = samples(12, 1, 0.3, 11);
  const unsure = compareMetric(now, base, { ...cost, final: false });
  assert.equal(unsure.verdict, 'unsure');
  assert.ok(unsure.slowdownLow < 0.1 && unsure.slowdownHigh > 0.1);
  const decided = compareMetric(now, base, { ...cost, final: true });
  assert.notEqual(decided.verdict, 'unsure');
});

test('a point estimate beyond the limit without significance is not a regression', () => {
  // Three against three: the one-sided Mann-Whitney p-value cannot go below 0.05.
  const result = compareMetric([1.3, 1.31, 1.32], [1, 1.01, 1.02], { ...cost, final: true });
  assert.ok(result.slowdown > 0.1);
  assert.notEqual(result.verdict, 'regression');
});
