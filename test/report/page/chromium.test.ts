import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { SERIES_COLOURS } from '../../../src/report/chart-spec.ts';
import { COMPARED_METRICS } from '../../../src/report/comparison/run-comparison.ts';
import { serverLabel } from '../../../src/report/figures/server-label.ts';
import { writeHtmlReport } from '../../../src/report/html-report.ts';
import type { RunResult } from '../../../src/result/result-schema.ts';
import {
  formatCount,
  formatLatencyUs,
  formatPercent,
  formatRate,
  formatStat,
  formatWholeMs,
} from '../../../src/util/format.ts';
import { HOSTILE, makeHostileResult, makeRunResult } from '../../fixtures/report-results.ts';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

let browser: Browser | null = null;
let workDir = '';
let screenshotDir = '';

const single = makeRunResult();
const other = makeRunResult({ seed: 2, latencyFactor: 0.8, startedAt: '2026-11-21T10:00:00.000Z' });
const hostile = makeHostileResult();

interface OpenedPage {
  page: Page;
  url: string;
  requests: string[];
  errors: string[];
  dialogs: string[];
}

async function openReport(results: RunResult[], name: string): Promise<OpenedPage> {
  assert.ok(browser, `${CHROMIUM} is missing: run scripts/install-system-deps.sh`);
  const file = join(workDir, `${name}.html`);
  await writeHtmlReport(results, file);
  const url = pathToFileURL(file).href;
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const opened: OpenedPage = { page, url, requests: [], errors: [], dialogs: [] };
  page.on('request', (request) => opened.requests.push(request.url()));
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') opened.errors.push(message.text());
  });
  page.on('pageerror', (error) => opened.errors.push(error.message));
  page.on('dialog', (dialog) => {
    opened.dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForSelector('html[data-charts-ready]', { timeout: 30_000 });
  return opened;
}

async function screenshot(page: Page, name: string): Promise<string> {
  const path = join(screenshotDir, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  console.log(`screenshot: ${path}`);
  return path;
}

/** The little of the DOM the pixel count uses: the tests compile without the DOM library. */
interface PixelReader {
  data: ArrayLike<number>;
}
interface Canvas2D {
  drawImage(image: unknown, x: number, y: number): void;
  getImageData(x: number, y: number, width: number, height: number): PixelReader;
}
interface CanvasElement {
  width: number;
  height: number;
  getContext(kind: '2d', options: { willReadFrequently: boolean }): Canvas2D | null;
}
interface ChartElement {
  id: string;
  querySelectorAll(selector: 'canvas'): Iterable<CanvasElement>;
}
interface PageDocument {
  querySelectorAll(selector: string): Iterable<ChartElement>;
  createElement(tag: 'canvas'): CanvasElement;
}

/** For each chart: how many canvas pixels have one of the series colours, i.e. a drawn line. */
function seriesPixelsPerChart(page: Page): Promise<Record<string, number>> {
  // Black is left out: axes and their labels are black too.
  const colours = SERIES_COLOURS.filter((colour) => colour !== '#000000');
  return page.evaluate((hexColours) => {
    const doc = (globalThis as unknown as { document: PageDocument }).document;
    const rgb = hexColours.map((hex) => [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16)));
    const counts: Record<string, number> = {};
    for (const chart of doc.querySelectorAll('[data-chart]')) {
      let count = 0;
      for (const canvas of chart.querySelectorAll('canvas')) {
        // Read a copy, so that the chart's own canvas is never read back (Chromium warns about that).
        const copy = doc.createElement('canvas');
        copy.width = canvas.width;
        copy.height = canvas.height;
        const context = copy.getContext('2d', { willReadFrequently: true })!;
        context.drawImage(canvas, 0, 0);
        const { data } = context.getImageData(0, 0, copy.width, copy.height);
        for (let i = 0; i < data.length; i += 4) {
          if (data[i + 3]! < 200) continue;
          const near = rgb.some(
            ([r, g, b]) =>
              Math.abs(data[i]! - r!) + Math.abs(data[i + 1]! - g!) + Math.abs(data[i + 2]! - b!) < 40,
          );
          if (near) count++;
        }
      }
      counts[chart.id] = count;
    }
    return counts;
  }, colours);
}

async function text(page: Page, selector: string): Promise<string> {
  const value = await page.locator(selector).first().textContent();
  assert.notEqual(value, null, `no element for ${selector}`);
  return value!.trim();
}

function assertQuiet(opened: OpenedPage): void {
  assert.deepEqual(opened.requests, [opened.url], 'the page requests nothing but itself');
  assert.deepEqual(opened.errors, [], 'no console error');
  assert.deepEqual(opened.dialogs, [], 'no dialog');
}

before(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'rpcbench-report-browser-'));
  screenshotDir = await mkdtemp(join(tmpdir(), 'rpcbench-report-screenshots-'));
  if (existsSync(CHROMIUM))
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
});

after(async () => {
  await browser?.close();
  await rm(workDir, { recursive: true, force: true });
  // Kept only when asked for, to look at by hand: a test run leaves no temporary folder behind.
  if (process.env.RPCBENCH_KEEP_SCREENSHOTS !== '1')
    await rm(screenshotDir, { recursive: true, force: true });
});

test('chromium is installed for these tests', () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: run scripts/install-system-deps.sh`);
});

test('a report loads offline, draws every chart and shows the numbers of its result', async () => {
  const opened = await openReport([single], 'report');
  const { page } = opened;
  try {
    assertQuiet(opened);

    const chartCount = await page.locator('[data-chart]').count();
    assert.ok(chartCount >= 4, 'latency, reuse and one timeline per phase');
    assert.equal(await page.getAttribute('html', 'data-charts-ready'), String(chartCount));
    for (const [id, pixels] of Object.entries(await seriesPixelsPerChart(page))) {
      assert.ok(pixels > 50, `chart ${id} drew its lines (${pixels} pixels)`);
    }

    for (const [p, phase] of single.phases.entries()) {
      const cards = `.phase-cards[data-run="0"][data-phase="${p}"]`;
      const s = phase.latency.summary;
      assert.equal(
        await text(page, `${cards} [data-metric="callsPerSecond"] .card-value`),
        formatRate(phase.callsPerSecond),
      );
      assert.equal(await text(page, `${cards} [data-metric="p50Us"] .card-value`), formatLatencyUs(s.p50Us));
      assert.equal(await text(page, `${cards} [data-metric="p99Us"] .card-value`), formatLatencyUs(s.p99Us));
      assert.equal(
        await text(page, `${cards} [data-metric="p999Us"] .card-value`),
        formatLatencyUs(s.p999Us),
      );
      assert.equal(
        await text(page, `${cards} [data-metric="errors"] .card-value`),
        formatCount(phase.errors),
      );

      const shares = `.share-phase[data-run="0"][data-phase="${p}"]`;
      assert.equal(await text(page, `${shares} [data-stat="jain"] dd`), formatStat(phase.fairness!.jain));
      assert.equal(await text(page, `${shares} [data-stat="pValue"] dd`), formatStat(phase.fairness!.pValue));
      for (const [i, server] of phase.servers.entries()) {
        assert.equal(
          await text(page, `${shares} [data-server="${i}"] .share-actual`),
          formatPercent(server.share),
        );
        const width = Number(
          await page.locator(`${shares} [data-server="${i}"] rect.bar`).getAttribute('width'),
        );
        assert.ok(width > 0 && width <= 100, 'the share bar has a length');
      }
    }
    for (const [i, threshold] of single.thresholds.entries()) {
      assert.equal(await text(page, `tr[data-threshold="${i}"] .badge`), threshold.passed ? 'pass' : 'fail');
    }
    assert.equal(
      await text(page, '[data-role="http"] [data-field="p50"]'),
      formatWholeMs(single.httpBaseline!.latencyMs.p50),
    );
    assert.match(await text(page, '[data-field="resolution"]'), /resolution of 1\u00a0ms/);
    assert.equal(await text(page, '[data-field="name"]'), single.scenario.name);
    assert.equal(await text(page, '[data-field="cores"]'), String(single.environment.cores));

    // By server: one line per server address, the chart redrawn.
    await page.locator('input[type="radio"][value="server"]').first().check();
    const legend = await page.locator('[data-role="latency"] .u-legend .u-label').allTextContents();
    for (const [i] of single.phases[0]!.servers.entries())
      assert.ok(legend.includes(serverLabel(single, i)), legend.join());
    const afterToggle = await seriesPixelsPerChart(page);
    const latencyId = await page.locator('[data-role="latency"]').getAttribute('id');
    assert.ok(afterToggle[latencyId!]! > 50, 'the by-server chart drew its lines');
    await page.locator('input[type="radio"][value="phase"]').first().check();

    await screenshot(page, 'report');
    assertQuiet(opened);
  } finally {
    await page.close();
  }
});

test('a comparison shows both runs, their curves overlaid, and each change as better or worse', async () => {
  const opened = await openReport([single, other], 'comparison');
  const { page } = opened;
  try {
    assertQuiet(opened);
    assert.equal(await page.locator('section.run[id^="run-"]').count(), 2);
    assert.deepEqual(
      (await page.locator('.run-list li .scenario-name').allTextContents()).map((s) => s.trim()),
      [single.scenario.name, other.scenario.name],
    );
    const legend = await page.locator('[data-role="comparison"] .u-legend .u-label').allTextContents();
    assert.ok(legend.includes('A · cached') && legend.includes('B · cached'), legend.join());
    for (const [id, pixels] of Object.entries(await seriesPixelsPerChart(page))) {
      assert.ok(pixels > 50, `chart ${id} drew its lines`);
    }
    for (const metric of COMPARED_METRICS) {
      const row = page.locator(`tr[data-match="0"][data-metric="${metric.key}"]`);
      const a = metric.read(single.phases[0]!);
      const b = metric.read(other.phases[0]!);
      assert.equal((await row.locator('td[data-run="0"]').first().textContent())?.trim(), metric.format(a!));
      assert.equal(
        await row.locator('td.delta').getAttribute('data-verdict'),
        metric.judge(single.phases[0]!, other.phases[0]!).verdict,
      );
      assert.ok(b !== null);
    }
    await screenshot(page, 'comparison');
  } finally {
    await page.close();
  }
});

test('hostile names render literally: no element, no dialog', async () => {
  const opened = await openReport([hostile], 'hostile');
  const { page } = opened;
  try {
    assertQuiet(opened);
    assert.equal(await page.locator('img').count(), 0, 'no <img> was created');
    assert.equal(await page.locator('[onerror], [onload], [onmouseover]').count(), 0);
    assert.equal(await text(page, '[data-field="name"]'), HOSTILE.name);
    assert.equal(await text(page, '[data-field="description"]'), HOSTILE.description);
    assert.equal(await page.title(), `${HOSTILE.name} · rpcbench report`);
    assert.ok(await page.getByText(HOSTILE.thresholdExpression, { exact: true }).first().isVisible());
    assert.ok(await page.getByText(HOSTILE.errorCode, { exact: true }).first().isVisible());
    const legend = await page.locator('[data-role="latency"] .u-legend .u-label').allTextContents();
    assert.ok(legend.includes(HOSTILE.cachedLabel), legend.join());
    const rateLegend = await page.locator('[data-panel="rate"] .u-legend .u-label').allTextContents();
    assert.ok(rateLegend.includes(`${HOSTILE.errorCode}/s`), rateLegend.join());
    await page.locator('input[type="radio"][value="server"]').first().check();
    await page.locator('[data-role="latency"]').hover();
    assert.deepEqual(opened.dialogs, []);
    assert.equal(await page.locator('img').count(), 0);
    await screenshot(page, 'hostile');
  } finally {
    await page.close();
  }
});

test('the timeline draws calls and errors by code, p50/p99/max, and switches to one server', async () => {
  const result = makeRunResult();
  result.scenario.config = {
    ...result.scenario.config,
    servers: { count: 3, behaviour: { slowFactor: 1 }, overrides: { '2': { slowFactor: 5 } } },
  };
  const dial = result.phases[1]!;
  const withErrors = dial.timeline.find((entry) => entry.errors > 0)!;
  withErrors.errorsByCode = { ...withErrors.errorsByCode, ERR_CONN_CLOSED: 2 };
  const opened = await openReport([result], 'timeline');
  const { page } = opened;
  try {
    assertQuiet(opened);
    const figure = page.locator('figure.timeline[data-phase="1"]');
    const legend = (panel: string) =>
      figure.locator(`[data-panel="${panel}"] .u-legend .u-label`).allTextContents();
    assert.deepEqual(await legend('rate'), [
      'from',
      'achieved/s',
      'offered/s',
      'ERR_CALL_TIMEOUT/s',
      'ERR_CONN_CLOSED/s',
      'in flight',
    ]);
    assert.deepEqual(await legend('latency'), ['from', 'p50', 'p99', 'max']);
    const ids = await figure.locator('[data-chart]').evaluateAll((charts) => charts.map((c) => c.id));
    const before = await seriesPixelsPerChart(page);
    for (const id of ids) assert.ok(before[id]! > 50, `timeline chart ${id} drew its lines`);
    const select = figure.locator('[data-timeline-view]');
    const options = (await select.locator('option').allTextContents()).map((s) => s.trim());
    assert.equal(options[0], 'all servers');
    assert.ok(options[3]?.startsWith('server 2, slow x5 · tcp@'), options.join(' | '));
    await select.selectOption('server:2');
    const after = await seriesPixelsPerChart(page);
    for (const id of ids) assert.ok(after[id]! > 50, `timeline chart ${id} redrew for server 2`);
    assert.notEqual(after[ids[1]!], before[ids[1]!], 'the latency panel now shows server 2 alone');
    assert.equal(
      await text(page, '.share-phase[data-phase="0"] .share-row[data-server="2"] .server-label'),
      'server 2, slow x5',
    );
    assertQuiet(opened);
    await screenshot(page, 'timeline');
  } finally {
    await page.close();
  }
});

test('a comparison shows what differs at the top, and no clear change where there is none', async () => {
  const a = makeRunResult();
  const b = makeRunResult({ seed: 2, name: 'other-scenario' });
  b.scenario.config = { ...a.scenario.config, codec: 'json' };
  const opened = await openReport([a, b], 'comparison-settings');
  const { page } = opened;
  try {
    assertQuiet(opened);
    assert.ok(await page.locator('[data-role="scenario-warning"]').isVisible());
    assert.deepEqual(
      (
        await page.locator('[data-role="config-differences"] tr[data-field="codec"] td').allTextContents()
      ).map((s) => s.trim()),
      ['codec', '—', 'json'],
    );
    const jain = page.locator('tr[data-match="0"][data-metric="jain"] td.delta');
    assert.equal(await jain.getAttribute('data-verdict'), 'unclear');
    assert.match((await jain.textContent()) ?? '', /no clear change/);
    const rate = page.locator('tr[data-match="0"][data-metric="callsPerSecond"] td.delta');
    assert.match((await rate.textContent()) ?? '', /95 % CI [+−±][\d.]+/);
    await screenshot(page, 'comparison-settings');
  } finally {
    await page.close();
  }
});
