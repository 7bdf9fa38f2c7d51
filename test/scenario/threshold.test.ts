import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PhaseResult } from '../../src/result/result-schema.ts';
import { ThresholdSyntaxError } from '../../src/scenario/errors.ts';
import { evaluateThresholds, parseThreshold } from '../../src/scenario/threshold.ts';

test('thresholds parse with units, scopes and operators', () => {
  assert.deepEqual(parseThreshold('p99 < 5ms'), {
    expression: 'p99 < 5ms',
    phase: null,
    metric: 'p99Us',
    percentile: 99,
    operator: '<',
    limit: 5_000,
  });
  assert.equal(parseThreshold('p50 <= 800us').limit, 800);
  assert.equal(parseThreshold('p99.9<1.5s').limit, 1_500_000);
  assert.equal(parseThreshold('max < 20µs').metric, 'maxUs');
  assert.deepEqual(
    { ...parseThreshold('errors < 0.1%') },
    {
      expression: 'errors < 0.1%',
      phase: null,
      metric: 'errorPercent',
      percentile: null,
      operator: '<',
      limit: 0.1,
    },
  );
  assert.equal(parseThreshold('errors <= 10').metric, 'errorCount');
  assert.equal(parseThreshold('jain >= 0.99').limit, 0.99);
  assert.equal(parseThreshold('rps > 1000').metric, 'callsPerSecond');
  const scoped = parseThreshold('roundrobin/dial: p99 < 5ms');
  assert.equal(scoped.phase, 'roundrobin/dial');
  assert.equal(scoped.metric, 'p99Us');
});

test('a malformed threshold says what is wrong', () => {
  const cases: [string, RegExp][] = [
    ['p99 < 5', /needs a unit/],
    ['p99 < 5 parsecs', /needs a unit/],
    ['q98 < 5ms', /unknown metric "q98"/],
    ['errors < 0.5', /whole number/],
    ['jain >= 0.99%', /plain number/],
    ['p99 = 5ms', /expected "\[phase:\] metric op value\[unit\]"/],
    ['', /expected/],
  ];
  for (const [expression, message] of cases) {
    assert.throws(
      () => parseThreshold(expression),
      (error: unknown) =>
        error instanceof ThresholdSyntaxError &&
        error.code === 'ERR_BAD_THRESHOLD' &&
        message.test(error.message),
      expression,
    );
  }
});

function phase(
  label: string,
  p99Us: number,
  calls: number,
  errors: number,
  jain: number | null,
): PhaseResult {
  const summary = {
    count: calls - errors,
    minUs: 1,
    meanUs: 1,
    stdevUs: 0,
    p50Us: 1,
    p90Us: 1,
    p99Us,
    p999Us: p99Us,
    maxUs: p99Us,
  };
  return {
    label,
    mode: label,
    reuseClients: true,
    durationMs: 1_000,
    calls,
    errors,
    errorsByCode: {},
    callsPerSecond: calls,
    latency: { summary, encoded: '' },
    servers: [],
    fairness:
      jain === null ? null : { jain, cv: 0, maxMinRatio: 1, chiSquare: 0, degreesOfFreedom: 1, pValue: 1 },
    timeline: [],
  };
}

test('thresholds are checked per phase, with the measured value', () => {
  const phases = [phase('roundrobin', 4_000, 1_000, 0, 1), phase('random', 7_000, 1_000, 5, null)];
  const outcomes = evaluateThresholds(
    ['p99 < 5ms', 'random: errors < 0.1%', 'roundrobin: rps >= 1000', 'jain >= 0.99'].map(parseThreshold),
    phases,
  );
  assert.deepEqual(
    outcomes.map(({ phase: label, metric, actual, passed }) => ({ label, metric, actual, passed })),
    [
      { label: 'roundrobin', metric: 'p99Us', actual: 4_000, passed: true },
      { label: 'random', metric: 'p99Us', actual: 7_000, passed: false },
      { label: 'random', metric: 'errorPercent', actual: 0.5, passed: false },
      { label: 'roundrobin', metric: 'callsPerSecond', actual: 1_000, passed: true },
      { label: 'roundrobin', metric: 'jain', actual: 1, passed: true },
      // No fairness figure: nothing to compare, so it fails rather than passes silently.
      { label: 'random', metric: 'jain', actual: null, passed: false },
    ],
  );
});
