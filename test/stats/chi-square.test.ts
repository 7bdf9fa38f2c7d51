import assert from 'node:assert/strict';
import { test } from 'node:test';
import { computeFairness, expectedSharesFor } from '../../src/harness/metrics/fairness.ts';
import {
  chiSquareCdf,
  chiSquarePValue,
  chiSquareStatistic,
  coefficientOfVariation,
  jainIndex,
  logGamma,
  regularizedGammaP,
  regularizedGammaQ,
} from '../../src/stats/chi-square.ts';

const close = (actual: number, expected: number, tolerance: number) =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `${actual} is not within ${tolerance} of ${expected}`);

test('logGamma matches factorials and Γ(1/2) = √π', () => {
  close(logGamma(1), 0, 1e-12);
  close(logGamma(5), Math.log(24), 1e-12);
  close(logGamma(11), Math.log(3_628_800), 1e-10);
  close(logGamma(0.5), Math.log(Math.sqrt(Math.PI)), 1e-12);
  close(logGamma(0.1), Math.log(9.513507698668732), 1e-10);
});

test('the regularized incomplete gamma matches closed forms', () => {
  // P(1, x) = 1 − e^−x
  for (const x of [0.1, 1, 3, 10]) close(regularizedGammaP(1, x), 1 - Math.exp(-x), 1e-12);
  // P(2, x) = 1 − (1 + x) e^−x, on both sides of the series / continued fraction switch
  for (const x of [0.5, 2.9, 3.1, 20]) close(regularizedGammaP(2, x), 1 - (1 + x) * Math.exp(-x), 1e-12);
  close(regularizedGammaP(3, 0), 0, 0);
  close(regularizedGammaQ(3, 0), 1, 0);
  // Q keeps its precision far in the tail, where 1 − P would round to 0.
  close(regularizedGammaQ(1, 50), Math.exp(-50), 1e-30);
});

test('chi-square CDF and p-values match the tables', () => {
  close(chiSquareCdf(3.841458820694124, 1), 0.95, 1e-9);
  close(chiSquareCdf(3.84, 1), 0.94996, 1e-5);
  close(chiSquareCdf(5.991464547107979, 2), 0.95, 1e-9);
  close(chiSquarePValue(11.070497693516351, 5), 0.05, 1e-9);
  close(chiSquarePValue(6.634896601021214, 1), 0.01, 1e-9);
  close(chiSquarePValue(23.209251158954356, 10), 0.01, 1e-9);
  close(chiSquareCdf(1, 1), 0.6826894921370859, 1e-9);
  assert.equal(chiSquarePValue(0, 3), 1);
  assert.throws(() => chiSquareCdf(1, 0), RangeError);
});

test("Jain's index, CV and the chi-square statistic", () => {
  assert.equal(jainIndex([5, 5, 5, 5]), 1);
  assert.equal(jainIndex([12, 0, 0, 0]), 0.25);
  close(jainIndex([1, 2, 3]), 36 / 42, 1e-12);
  assert.equal(coefficientOfVariation([3, 3, 3]), 0);
  close(coefficientOfVariation([1, 3]), 0.5, 1e-12);
  assert.equal(chiSquareStatistic([10, 20], [15, 15]), 50 / 15);
});

test('fairness divides counts by the expected shares', () => {
  const even = computeFairness([100, 100, 100], expectedSharesFor([1, 1, 1]));
  assert.ok(even !== null);
  assert.equal(even.jain, 1);
  assert.equal(even.cv, 0);
  assert.equal(even.maxMinRatio, 1);
  assert.equal(even.chiSquare, 0);
  assert.equal(even.degreesOfFreedom, 2);
  assert.equal(even.pValue, 1);
  // 3:1 weights followed exactly are fair; the same counts against even shares are not.
  const weighted = computeFairness([300, 100], expectedSharesFor([3, 1]));
  assert.equal(weighted?.jain, 1);
  const uneven = computeFairness([300, 100], expectedSharesFor([1, 1]));
  assert.ok(uneven !== null && uneven.jain < 1 && uneven.pValue < 1e-6);
  assert.equal(computeFairness([0, 5], [0.5, 0.5])?.maxMinRatio, null);
  assert.equal(computeFairness([0, 0], [0.5, 0.5]), null);
});
