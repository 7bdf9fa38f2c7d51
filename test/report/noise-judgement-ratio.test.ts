import assert from 'node:assert/strict';
import { test } from 'node:test';
import { judgeChange } from '../../src/report/comparison/noise-judgement.ts';

test('the interval of a latency change is a ratio: it never falls below −100 %', () => {
  // A noisy run A and a much faster run B: the difference's interval, over A's median, went past −100 %.
  const a = [100, 5_000, 120, 4_000, 90, 6_000, 110, 3_000, 95, 7_000, 105];
  const b = [10, 11, 9, 12, 10, 11, 9, 10, 12, 11, 10];
  const change = judgeChange(a, b, 'lower', 'median');
  assert.ok(change.low / change.a < -1, 'the plain difference over A would show a fall past −100 %');
  assert.ok(change.relativeLow !== null && change.relativeHigh !== null);
  assert.ok(change.relativeLow > -1 && change.relativeLow <= change.relativeHigh, `${change.relativeLow}`);
  assert.ok(change.relativeHigh < 0);
});

test('samples with a 0 (errors) keep the difference interval', () => {
  const change = judgeChange([0, 1, 0, 2, 0], [0, 0, 1, 0, 0], 'lower', 'mean');
  assert.equal(change.relativeLow, null);
  assert.equal(change.relativeHigh, null);
});
