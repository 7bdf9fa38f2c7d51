import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderHtmlReport } from '../../src/report/html-report.ts';
import { formatSummary } from '../../src/report/text-summary.ts';
import { decodeHistogram } from '../../src/result/histogram.ts';
import { latencyAtPercentile } from '../../src/result/percentile.ts';
import type { RunResult } from '../../src/result/result-schema.ts';
import { ScenarioError, ThresholdSyntaxError } from '../../src/scenario/errors.ts';
import { validateScenario } from '../../src/scenario/scenario-loader.ts';
import { evaluateThresholds, parseThreshold } from '../../src/scenario/threshold.ts';
import { formatLatencyUs } from '../../src/util/format.ts';
import { makeRunResult } from '../fixtures/report-results.ts';

function atPercentile(result: RunResult, phase: number, percentile: number): number {
  const histogram = decodeHistogram(result.phases[phase]!.latency.encoded);
  try {
    return histogram.getValueAtPercentile(percentile);
  } finally {
    histogram.destroy();
  }
}

test('thresholds take any percentile: p95, p99.99 and k6 style p(99.95)', () => {
  const cases: [string, number, string][] = [
    ['p95 < 5ms', 95, 'p95Us'],
    ['p99.99 <= 2s', 99.99, 'p99.99Us'],
    ['p(99.95) < 10ms', 99.95, 'p99.95Us'],
    ['cached: P(75) > 1us', 75, 'p75Us'],
    ['p99.9 < 1ms', 99.9, 'p999Us'],
    ['p999 < 1ms', 99.9, 'p999Us'],
  ];
  for (const [expression, percentile, metric] of cases) {
    const threshold = parseThreshold(expression);
    assert.equal(threshold.percentile, percentile, expression);
    assert.equal(threshold.metric, metric, expression);
  }
  assert.equal(parseThreshold('p(99.95) < 10ms').limit, 10_000);
});

test('a percentile outside (0, 100] is refused with the rule', () => {
  for (const expression of ['p0 < 1ms', 'p100.5 < 1ms', 'p(101) < 1ms']) {
    assert.throws(
      () => parseThreshold(expression),
      (error: unknown) =>
        error instanceof ThresholdSyntaxError && /above 0 and at most 100/.test(error.message),
      expression,
    );
  }
});

test('a percentile threshold is checked against the histogram at that percentile', () => {
  const result = makeRunResult();
  const p95 = atPercentile(result, 0, 95);
  const p9999 = atPercentile(result, 0, 99.99);
  assert.ok(p95 > 0 && p9999 >= p95);
  const outcomes = evaluateThresholds(
    [`cached: p95 <= ${p95}us`, `cached: p95 < ${p95}us`, `cached: p(99.99) <= ${p9999}us`].map(
      parseThreshold,
    ),
    result.phases,
  );
  assert.deepEqual(
    outcomes.map((outcome) => [outcome.metric, outcome.actual, outcome.passed]),
    [
      ['p95Us', p95, true],
      ['p95Us', p95, false],
      ['p99.99Us', p9999, true],
    ],
  );
});

test('a scenario lists the summary percentiles; a bad one is named', () => {
  const scenario = validateScenario({ name: 'x', percentiles: [50, 95, 99.99] }, 'x.ts');
  assert.deepEqual(scenario.percentiles, [50, 95, 99.99]);
  for (const percentiles of [[0], [101], [], ['p99']]) {
    assert.throws(
      () => validateScenario({ name: 'x', percentiles }, 'x.ts'),
      (error: unknown) => error instanceof ScenarioError && error.field?.startsWith('percentiles') === true,
      JSON.stringify(percentiles),
    );
  }
});

function withPercentiles(percentiles: number[] | undefined): RunResult {
  const result = makeRunResult();
  if (percentiles !== undefined) result.scenario.config = { ...result.scenario.config, percentiles };
  return result;
}

test('the text summary shows the scenario percentiles as columns, the default four otherwise', () => {
  const header = (text: string) => text.split('\n').find((line) => line.startsWith('phase  '))!;
  const custom = withPercentiles([50, 95, 99.99]);
  const text = formatSummary(custom);
  assert.match(header(text), /calls\/s\s+offered\/s\s+ok\s+p50\s+p95\s+p99\.99\s+max/);
  const cachedRow = text.split('\n').find((line) => line.startsWith('cached '))!;
  assert.ok(cachedRow.includes(formatLatencyUs(atPercentile(custom, 0, 95))), cachedRow);
  assert.ok(cachedRow.includes(formatLatencyUs(atPercentile(custom, 0, 99.99))), cachedRow);
  assert.match(
    header(formatSummary(withPercentiles(undefined))),
    /calls\/s\s+offered\/s\s+ok\s+p50\s+p90\s+p99\s+p99\.9\s+max/,
  );
});

test('the HTML report has a table of the scenario percentiles per phase and server', () => {
  const result = withPercentiles([95, 99.99]);
  const page = renderHtmlReport([result]);
  const table = /<table class="figures" data-figures="percentiles">([\s\S]*?)<\/table>/.exec(page)?.[1];
  assert.ok(table !== undefined, 'no percentiles table');
  assert.match(table, /<th>p95<\/th><th>p99\.99<\/th>/);
  const p95 = latencyAtPercentile(result.phases[0]!.latency, 95);
  assert.equal(p95, atPercentile(result, 0, 95));
  // Rounded with its unit; the exact figure stays in data-value.
  const shown = formatLatencyUs(p95!);
  assert.ok(
    table.includes(`<td>cached</td><td>all</td><td class="num" data-value="${p95}">${shown}</td>`),
    table,
  );
});
