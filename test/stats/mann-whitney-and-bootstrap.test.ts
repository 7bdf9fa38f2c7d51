import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bootstrapMedianRatio } from '../../src/stats/bootstrap.ts';
import { median, normalCdf, quantileSorted } from '../../src/stats/descriptive.ts';
import { mannWhitneyU } from '../../src/stats/mann-whitney.ts';
import { createSeededRandom } from '../../src/util/seeded-random.ts';

/** Log-normal samples around `centre` with about `spread` relative noise, from a seeded generator. */
function samples(count: number, centre: number, spread: number, seed: number): number[] {
  const random = createSeededRandom(seed);
  return Array.from({ length: count }, () => {
    const z = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    return centre * Math.exp(spread * z);
  });
}

const close = (actual: number, expected: number, tolerance: number) =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `${actual} is not within ${tolerance} of ${expected}`);

test('Mann-Whitney U matches SciPy 1.17 on known samples (exact distribution)', () => {
  // scipy.stats.mannwhitneyu([1,2,3,4,5], [6,7,8,9,10]) -> U=0, p=0.007936507936507936
  const separated = mannWhitneyU([1, 2, 3, 4, 5], [6, 7, 8, 9, 10]);
  assert.equal(separated.u, 0);
  assert.equal(separated.method, 'exact');
  close(separated.pValue, 0.007936507936507936, 1e-12);
  const x = [1.1, 2.3, 3.2, 4.5, 9.1, 7.7];
  const y = [6, 7, 8, 9, 10, 5.5, 0.2];
  // alternative='greater' -> p=0.8525641025641026; 'less' -> p=0.18298368298368298
  close(mannWhitneyU(x, y, 'greater').pValue, 0.8525641025641026, 1e-12);
  close(mannWhitneyU(x, y, 'less').pValue, 0.18298368298368298, 1e-12);
  assert.equal(mannWhitneyU(x, y).u, 14);
  // 20 against 20 shifted by 6.5, method='exact', alternative='less' -> U=91, p=0.0013213152957796761
  const low = Array.from({ length: 20 }, (_, i) => i + 1);
  const high = low.map((value) => value + 6.5);
  const shifted = mannWhitneyU(low, high, 'less');
  assert.equal(shifted.u, 91);
  close(shifted.pValue, 0.0013213152957796761, 1e-12);
});

test('Mann-Whitney U matches SciPy with ties (normal approximation, tie and continuity corrections)', () => {
  // scipy.stats.mannwhitneyu([1,2,2,3,3,3,4,9], [2,3,4,5,5,6]) -> U=14, p=0.21181342422993976
  const tied = mannWhitneyU([1, 2, 2, 3, 3, 3, 4, 9], [2, 3, 4, 5, 5, 6]);
  assert.equal(tied.method, 'asymptotic');
  assert.equal(tied.u, 14);
  close(tied.pValue, 0.21181342422993976, 1e-6);
});

test('the normal distribution function is accurate to 1e-7', () => {
  close(normalCdf(0), 0.5, 1e-7);
  close(normalCdf(1.959963984540054), 0.975, 1e-7);
  close(normalCdf(-2.326347874040841), 0.01, 1e-7);
});

test('medians and quantiles interpolate between neighbours', () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.equal(quantileSorted([10, 20, 30, 40], 0.25), 17.5);
});

test('a clear 20 % shift is detected by both tests', () => {
  const baseline = samples(120, 1, 0.1, 1);
  const now = samples(60, 1.2, 0.1, 2);
  assert.ok(mannWhitneyU(now, baseline, 'greater').pValue < 1e-6);
  const interval = bootstrapMedianRatio(now, baseline);
  assert.ok(interval.low > 1.1, `interval ${interval.low}..${interval.high} should lie above 1.1`);
});

test('identical distributions are not told apart', () => {
  let significant = 0;
  let excluded = 0;
  for (let seed = 0; seed < 40; seed++) {
    const baseline = samples(120, 1, 0.1, 1000 + seed);
    const now = samples(60, 1, 0.1, 2000 + seed);
    if (mannWhitneyU(now, baseline, 'greater').pValue < 0.01) significant++;
    const interval = bootstrapMedianRatio(now, baseline, { resamples: 1000 });
    if (interval.low > 1 || interval.high < 1) excluded++;
  }
  // At the 1 % level about 0.4 of 40 draws are significant by chance; at 95 % coverage about 2 miss.
  assert.ok(significant <= 2, `${significant} of 40 identical pairs were significant`);
  assert.ok(excluded <= 6, `${excluded} of 40 intervals missed the true ratio 1`);
});

test('the bootstrap interval contains the true ratio of medians', () => {
  let covered = 0;
  const trueRatio = 1.15;
  for (let seed = 0; seed < 40; seed++) {
    const baseline = samples(80, 2, 0.15, 3000 + seed);
    const now = samples(80, 2 * trueRatio, 0.15, 4000 + seed);
    const interval = bootstrapMedianRatio(now, baseline, { resamples: 1000, seed });
    if (interval.low <= trueRatio && trueRatio <= interval.high) covered++;
  }
  assert.ok(covered >= 34, `the interval covered the true ratio in only ${covered} of 40 draws`);
});

test('the bootstrap is reproducible: equal samples and seed give an equal interval', () => {
  const baseline = samples(30, 1, 0.1, 7);
  const now = samples(30, 1.05, 0.1, 8);
  assert.deepEqual(bootstrapMedianRatio(now, baseline), bootstrapMedianRatio(now, baseline));
});
