import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { writeHtmlReport } from '../../src/report/html-report.ts';
import { type RunResult, runResultSchema } from '../../src/result/result-schema.ts';
import type { CapacitySearchRecord } from '../../src/result/search-schema.ts';
import { formatCount, formatRate } from '../../src/util/format.ts';
import { makeRunResult } from '../fixtures/report-results.ts';

const CHROMIUM = '/usr/bin/chromium';
const WIDTHS = [1400, 800];
let browser: Browser | null = null;
let workDir = '';
/** Screenshots are kept only when a folder is named for them. */
const shotDir = process.env.RPCBENCH_REPORT_SHOTS;

/** A run that dropped calls in its first phase; its second phase is as an older result writes it. */
function droppingRun(): RunResult {
  const result = makeRunResult();
  const phase = result.phases[0]!;
  phase.errorsByCode = { ...phase.errorsByCode, ERR_DROPPED: 40 };
  phase.errors += 40;
  phase.calls += 40;
  phase.dropped = 40;
  phase.ok = phase.calls - phase.errors;
  phase.offeredPerSecond = phase.calls / (phase.durationMs / 1000);
  phase.failedLatency = phase.latency;
  return runResultSchema.parse(result);
}

function searchRun(): RunResult {
  const result = makeRunResult({ addresses: ['tcp@127.0.0.1:40001'], weights: [1] });
  const step = (rate: number, p99Us: number) => ({
    kind: 'grow' as const,
    offeredRatePerSecond: rate,
    achievedRatePerSecond: rate,
    durationMs: 1_000,
    calls: rate,
    errors: 0,
    p50Us: 300,
    p99Us,
    maxUs: p99Us * 2,
    objectives: [{ expression: 'p99 < 5ms', actual: p99Us, passed: p99Us < 5_000 }],
    passed: p99Us < 5_000,
    failure: p99Us < 5_000 ? null : 'failed p99 < 5ms',
  });
  const search: CapacitySearchRecord = {
    slo: ['p99 < 5ms'],
    foundRatePerSecond: 1_000,
    failingRatePerSecond: 2_000,
    stoppedBy: 'converged',
    elapsedMs: 3_000,
    maxSteps: 20,
    maxSearchMs: 120_000,
    spread: null,
    steps: [step(500, 900), step(1_000, 1_200), step(2_000, 9_000)],
  };
  result.phases[0] = { ...result.phases[0]!, search };
  return runResultSchema.parse(result);
}

async function open(results: RunResult[], name: string, width: number): Promise<Page> {
  assert.ok(browser, `${CHROMIUM} is missing`);
  const file = join(workDir, `${name}-${width}.html`);
  await writeHtmlReport(results, file);
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
  await page.waitForSelector('html[data-charts-ready]', { timeout: 30_000 });
  assert.deepEqual(errors, []);
  if (shotDir !== undefined)
    await page.screenshot({ path: join(shotDir, `i23b-${name}-${width}.png`), fullPage: true });
  return page;
}

before(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'rpcbench-report-page-'));
  if (existsSync(CHROMIUM))
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox'] });
});

after(async () => {
  await browser?.close();
  await rm(workDir, { recursive: true, force: true });
});

for (const width of WIDTHS) {
  test(`at ${width} px: log latency axis, legends with values, axis titles, tables that fit`, async () => {
    const page = await open([droppingRun()], 'report', width);
    try {
      assert.equal(
        await page.locator('[data-log-y]').first().isChecked(),
        true,
        'log latency axis by default',
      );
      const values = await page.locator('.u-legend .u-value').allTextContents();
      assert.ok(values.length > 10);
      assert.deepEqual(
        values.filter((v) => v.trim() === '—'),
        [],
        'every legend shows a value before hovering',
      );
      const titles = (
        await page
          .locator('[data-role="timeline"]')
          .evaluateAll((charts) => charts.map((chart) => chart.getAttribute('data-axis-titles') ?? ''))
      ).flatMap((text) => text.split(' | '));
      for (const title of ['time from the phase start (s)', 'calls / s', 'ok calls in flight'])
        assert.ok(titles.includes(title), titles.join(' | '));
      assert.ok(
        titles.some((t) => /^latency \((µs|ms|s)\)$/.test(t)),
        titles.join(' | '),
      );
      const cells = await page.locator('table.figures td').allTextContents();
      assert.deepEqual(
        cells.filter((c) => /\d\.\d{5,}/.test(c)),
        [],
        'figures are rounded',
      );
      const overflow = await page.evaluate(() => {
        const doc = (
          globalThis as unknown as {
            document: { documentElement: { scrollWidth: number; clientWidth: number } };
          }
        ).document;
        return doc.documentElement.scrollWidth - doc.documentElement.clientWidth;
      });
      assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow} px`);
      if (width >= 1400) {
        const servers = page.locator('[data-figures="servers"]').locator('xpath=..');
        const [scroll, client] = await servers.evaluate((el) => [el.scrollWidth, el.clientWidth]);
        assert.ok(scroll! <= client!, `servers table ${scroll} px in ${client} px`);
      }
    } finally {
      await page.close();
    }
  });
}

test('the summary shows offered and achieved rate, ok, errors, dropped; an older result shows –', async () => {
  const result = droppingRun();
  const page = await open([result], 'cards', 1400);
  try {
    const card = (phase: number, metric: string) =>
      page.locator(`.phase-cards[data-phase="${phase}"] [data-metric="${metric}"] .card-value`).textContent();
    const p = result.phases[0]!;
    assert.equal(await card(0, 'callsPerSecond'), formatRate(p.callsPerSecond));
    assert.equal(await card(0, 'offeredPerSecond'), formatRate(p.offeredPerSecond!));
    assert.equal(await card(0, 'ok'), formatCount(p.ok!));
    assert.equal(await card(0, 'dropped'), '40');
    assert.equal(await card(0, 'errors'), formatCount(p.errors - 40));
    assert.notEqual(await card(0, 'failedP99Us'), '–');
    for (const metric of ['offeredPerSecond', 'ok', 'dropped', 'failedP99Us'])
      assert.equal(await card(1, metric), '–');
  } finally {
    await page.close();
  }
});

test('one server: no Jain or χ²; the capacity chart ends near its top step with the objective', async () => {
  const result = searchRun();
  const page = await open([result], 'search', 1400);
  try {
    assert.equal(await page.locator('[data-figures="fairness"]').count(), 0);
    assert.equal(await page.locator('[data-stat="jain"], [data-stat="pValue"]').count(), 0);
    const data = JSON.parse((await page.locator('#report-data').textContent())!) as {
      charts: Record<string, { kind: string; xRange?: [number, number]; objectives?: { ms: number }[] }>;
    };
    const capacity = Object.values(data.charts).find((chart) => chart.kind === 'capacity')!;
    assert.ok(capacity.xRange![1] <= 2_000 * 1.3, `x axis ends at ${capacity.xRange![1]}`);
    assert.deepEqual(
      capacity.objectives!.map((o) => o.ms),
      [5],
    );
    const legend = await page.locator('[data-role="capacity"] .u-legend .u-value').allTextContents();
    assert.ok(legend[0]!.startsWith('2000/s'), legend.join(' | '));
  } finally {
    await page.close();
  }
});

test('a comparison of one-server runs has no Jain row', async () => {
  const page = await open([searchRun(), searchRun()], 'comparison-one-server', 1400);
  try {
    assert.equal(await page.locator('tr[data-metric="jain"]').count(), 0);
    assert.ok((await page.locator('tr[data-metric="p99Us"]').count()) > 0);
  } finally {
    await page.close();
  }
});
