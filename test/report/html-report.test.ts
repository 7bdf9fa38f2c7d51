import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import type { ChartSpec, PercentileChartSpec } from '../../src/report/chart-spec.ts';
import { COMPARED_METRICS, compareValues, matchPhases } from '../../src/report/comparison/run-comparison.ts';
import { serverLabel } from '../../src/report/figures/server-label.ts';
import { renderHtmlReport } from '../../src/report/html-report.ts';
import { decodeHistogram, latencyAtX } from '../../src/report/percentile-curve.ts';
import { findReusePairs } from '../../src/report/reuse-pairs.ts';
import { isRpcError } from '../../src/util/errors.ts';
import { formatRatio } from '../../src/util/format.ts';
import { usToMs } from '../../src/util/units.ts';
import { HOSTILE, makeHostileResult, makeRunResult } from '../fixtures/report-results.ts';

const single = makeRunResult();
const singlePage = renderHtmlReport([single]);

function pageData(page: string): { colours: string[]; charts: Record<string, ChartSpec> } {
  const match = /<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(page);
  assert.ok(match, 'the page carries its data as application/json');
  assert.ok(!match[1]!.includes('<'), 'no "<" inside the inline JSON');
  return JSON.parse(match[1]!);
}

test('the page is one self-contained file: uPlot and its styles inline, no external reference', () => {
  const require = createRequire(import.meta.url);
  const uplot = readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8');
  assert.ok(singlePage.includes(uplot.slice(0, 200)), 'uPlot is inlined');
  assert.ok(singlePage.includes('.u-legend'), 'uPlot styles are inlined');
  assert.doesNotMatch(singlePage, /<(script|link|img|iframe)[^>]+(src|href)=["']?(https?:|\/\/)/i);
  // The policy forbids any fetch and allows only the page's own two scripts, by hash.
  assert.match(
    singlePage,
    /Content-Security-Policy" content="default-src &#39;none&#39;; script-src &#39;sha256-/,
  );
});

test('curve points are computed in Node from the encoded histograms', () => {
  const { charts } = pageData(singlePage);
  const latency = Object.values(charts).find(
    (spec): spec is PercentileChartSpec => spec.kind === 'percentile' && 'phase' in spec.views,
  );
  assert.ok(latency);
  const view = latency.views.phase!;
  assert.deepEqual(
    view.series.map((s) => s.label),
    single.phases.map((p) => p.label),
  );
  single.phases.forEach((phase, p) => {
    const histogram = decodeHistogram(phase.latency.encoded, 'test');
    view.x.forEach((x, i) => {
      const expected = x <= histogram.totalCount ? usToMs(latencyAtX(histogram, x)) : null;
      assert.equal(view.series[p]!.yMs[i], expected);
    });
  });
  // One by-server view per phase with servers, and the merged one.
  assert.deepEqual(Object.keys(latency.views).sort(), ['phase', 'server:0', 'server:1', 'server:all']);
  // Servers are named by their index (and what sets them apart), not by their random ports.
  assert.deepEqual(
    latency.views['server:0']!.series.map((s) => s.label),
    single.phases[0]!.servers.map((_, i) => serverLabel(single, i)),
  );
});

test('names, descriptions, addresses, error codes and expressions render as text, never as markup', () => {
  const hostile = makeHostileResult();
  const page = renderHtmlReport([hostile]);
  for (const text of Object.values(HOSTILE)) {
    // Wherever it appears, each "<" of the hostile text is escaped.
    assert.ok(!page.includes(text), `raw text found: ${text}`);
  }
  assert.ok(page.includes('&lt;img src=x onerror=alert(1)&gt;'));
  assert.ok(page.includes('&lt;/script&gt;&lt;script&gt;alert(2)&lt;/script&gt; &amp; &quot;quoted&quot;'));
  assert.ok(page.includes('&lt;svg onload=alert(4)&gt;'));
  assert.ok(page.includes('p99 &lt; 5ms &lt;b onmouseover=alert(5)&gt;'));
  // The chart data keeps the phase label and the error code, with "<" as \u003c.
  const json = JSON.stringify(pageData(page).charts);
  assert.ok(json.includes(HOSTILE.cachedLabel));
  assert.ok(json.includes(HOSTILE.errorCode));
  assert.equal((page.match(/<script\b/g) ?? []).length, 3, 'only the data, uPlot and the page script');
});

test('a partial run carries a warning; a complete one does not', () => {
  assert.ok(!singlePage.includes('data-field="partial"'));
  const partial = renderHtmlReport([makeRunResult({ partial: true, emptyPhase: true })]);
  assert.match(partial, /data-field="partial">.*Partial run\./s);
});

test('each threshold shows pass or fail as the result says', () => {
  single.thresholds.forEach((threshold, i) => {
    const row = new RegExp(`<tr data-threshold="${i}" class="(pass|fail)">`).exec(singlePage);
    assert.equal(row?.[1], threshold.passed ? 'pass' : 'fail');
  });
  const verdict = single.thresholds.every((t) => t.passed) ? 'pass' : 'fail';
  assert.ok(singlePage.includes(`data-thresholds="${verdict}"`));
});

test('cached and dial-per-call phases are paired with their ratios', () => {
  const [pair] = findReusePairs(single.phases);
  const cached = single.phases.find((p) => p.reuseClients)!;
  const dial = single.phases.find((p) => !p.reuseClients)!;
  assert.equal(pair!.callsPerSecondRatio, cached.callsPerSecond / dial.callsPerSecond);
  assert.equal(pair!.p99Ratio, dial.latency.summary.p99Us / cached.latency.summary.p99Us);
  assert.ok(singlePage.includes(`data-ratio="callsPerSecond">${formatRatio(pair!.callsPerSecondRatio!)}<`));

  const allCached = makeRunResult();
  for (const phase of allCached.phases) phase.reuseClients = true;
  assert.deepEqual(findReusePairs(allCached.phases), []);
  assert.ok(!renderHtmlReport([allCached]).includes('data-role="reuse"'));
});

test('micro-benchmarks show their ratio to the reference, or to the fastest when the result has none', () => {
  for (const m of single.micro) {
    const expected = m.ratio === 1 ? 'reference' : formatRatio(m.ratio!);
    assert.ok(singlePage.includes(`data-field="ratio">${expected}<`), expected);
  }
  const older = makeRunResult();
  for (const m of older.micro) delete m.ratio;
  const page = renderHtmlReport([older]);
  const fastest = Math.max(...older.micro.map((m) => m.opsPerSecond));
  for (const m of older.micro) {
    const expected =
      m.opsPerSecond === fastest ? 'fastest' : `${formatRatio(fastest / m.opsPerSecond)} slower`;
    assert.ok(page.includes(`data-field="ratio">${expected}<`), expected);
  }
});

test('the HTTP baseline states its 1 ms resolution', () => {
  assert.match(singlePage, /data-field="resolution">The HTTP figures have a resolution of 1&nbsp;ms/);
  const without = renderHtmlReport([makeRunResult({ withBaseline: false })]);
  assert.ok(!without.includes('data-role="baseline"'));
});

test('comparison: the change in whole-run figures, relative where it can be', () => {
  assert.equal(compareValues(0, 3).relative, null);
  assert.equal(compareValues(null, 3).difference, null);
  assert.equal(compareValues(200, 250).relative, 0.25);
  assert.equal(compareValues(100, 80).difference, -20);
});

test('a comparison page judges every metric of every phase by its per-interval samples', () => {
  const a = makeRunResult();
  const b = makeRunResult({ seed: 2, latencyFactor: 0.8, startedAt: '2026-11-21T10:00:00.000Z' });
  const page = renderHtmlReport([a, b]);
  assert.ok(page.includes('id="run-0"') && page.includes('id="run-1"'));
  const matches = matchPhases([a, b]);
  assert.equal(matches.length, a.phases.length);
  const verdicts: Record<string, string> = {};
  matches.forEach((match, m) => {
    for (const metric of COMPARED_METRICS) {
      const [pa, pb] = match.phases;
      const { verdict } = metric.judge(pa!, pb!);
      const row = new RegExp(
        `<tr data-match="${m}" data-metric="${metric.key}"[\\s\\S]*?data-verdict="([^"]+)"`,
      ).exec(page);
      assert.equal(row?.[1], verdict, `${match.label} ${metric.key}`);
      verdicts[`${match.label} ${metric.key}`] = verdict;
    }
  });
  assert.equal(Object.keys(verdicts).length, a.phases.length * COMPARED_METRICS.length);
  // B's calls take 0.8 times as long and it made 1.25 times as many: both are clear.
  assert.equal(verdicts['cached callsPerSecond'], 'better');
  assert.equal(verdicts['cached p50Us'], 'better');
  assert.equal(verdicts['dial p50Us'], 'better');
  // Both spread the calls over the servers alike: no clear change.
  assert.equal(verdicts['cached jain'], 'unclear');
  const overlay = Object.values(pageData(page).charts).find(
    (spec): spec is PercentileChartSpec => spec.kind === 'percentile' && 'phase:0' in spec.views,
  );
  assert.deepEqual(
    Object.values(overlay?.views ?? {}).map((view) => view.series.map((s) => s.label)),
    [
      ['A · cached', 'B · cached'],
      ['A · dial', 'B · dial'],
    ],
  );
});

test('a report needs at least one result', () => {
  assert.throws(
    () => renderHtmlReport([]),
    (error: unknown) => isRpcError(error, 'ERR_INVALID_ARGUMENT'),
  );
});

test("external servers: the page says when counts are the clients' only, and which servers joined or left", () => {
  const result = makeRunResult();
  const phase = result.phases[0]!;
  const external = {
    ...result,
    phases: [
      {
        ...phase,
        countsFrom: 'clients' as const,
        servers: phase.servers.map((server) => ({ ...server, serverCount: null })),
        membership: [{ atMs: 1_500, address: 'tcp@127.0.0.1:7001', change: 'joined' as const }],
      },
    ],
  };
  const page = renderHtmlReport([external]);
  assert.match(page, /calls, client-side counts only/);
  assert.match(page, /<li data-change="joined"><code>tcp@127\.0\.0\.1:7001<\/code> joined at 1\.5 s<\/li>/);
  assert.doesNotMatch(singlePage, /calls, client-side counts only/);
});

test('a comparison of many runs keeps each overlay to four runs; every run stays in the table', () => {
  const runs = [1, 2, 3, 4, 5, 6].map((seed) => makeRunResult({ seed }));
  const page = renderHtmlReport(runs);
  const overlay = Object.values(pageData(page).charts).find(
    (spec): spec is PercentileChartSpec => spec.kind === 'percentile' && 'phase:0' in spec.views,
  );
  assert.ok(overlay !== undefined);
  for (const view of Object.values(overlay.views)) assert.equal(view.series.length, 4);
  assert.match(page, /Runs E–F are in the table only/);
  assert.match(page, /<th class="num">F vs A<\/th>/);
});

test('the comparison lists the settings that differ, and warns when the scenarios differ', () => {
  const a = makeRunResult();
  const b = makeRunResult({ seed: 2 });
  b.scenario.config = { ...a.scenario.config, codec: 'json', load: { model: 'closed', concurrency: 8 } };
  b.environment = { ...b.environment, gitCommit: 'b'.repeat(40) };
  const page = renderHtmlReport([a, b]);
  const fields = [...page.matchAll(/<tr data-field="([^"]+)">/g)].map((match) => match[1]);
  assert.deepEqual(fields, ['codec', 'load.concurrency', 'load.model', 'commit']);
  assert.ok(!page.includes('data-role="scenario-warning"'));
  const other = renderHtmlReport([a, makeRunResult({ name: 'another' })]);
  assert.match(
    other,
    /data-role="scenario-warning">These runs are of different scenarios\s+\(random-weighted, another\)/,
  );
  assert.match(renderHtmlReport([a, a]), /data-role="config-same"/);
});
