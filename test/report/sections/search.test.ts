import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { renderHtmlReport, writeHtmlReport } from '../../../src/report/html-report.ts';
import { capacityChart } from '../../../src/report/sections/search.ts';
import { formatSummary } from '../../../src/report/text-summary.ts';
import { type RunResult, runResultSchema } from '../../../src/result/result-schema.ts';
import type { CapacitySearchRecord, SearchStepRecord } from '../../../src/result/search-schema.ts';
import { makeRunResult } from '../../fixtures/report-results.ts';

const CHROMIUM = '/usr/bin/chromium';

/** A search over a system whose p99 is 1 ms up to 3,000 calls/s and climbs past it. */
function searchRecord(): CapacitySearchRecord {
  const rates = [100, 200, 400, 800, 1_600, 3_200, 2_400, 2_800, 3_000, 3_100, 3_000, 3_000];
  const steps: SearchStepRecord[] = rates.map((rate, index) => {
    const p99Us = rate <= 3_000 ? 1_000 : 1_000 + (rate - 3_000) * 100;
    const passed = p99Us < 5_000;
    return {
      kind: index < 6 ? 'grow' : index < 10 ? 'bisect' : 'repeat',
      offeredRatePerSecond: rate,
      achievedRatePerSecond: rate * 0.99,
      durationMs: 1_000,
      calls: rate,
      errors: 0,
      p50Us: 400,
      p99Us,
      maxUs: p99Us * 2,
      objectives: [{ expression: 'p99 < 5ms', actual: p99Us, passed }],
      passed,
      failure: passed ? null : 'failed p99 < 5ms',
    };
  });
  return {
    slo: ['p99 < 5ms'],
    foundRatePerSecond: 3_000,
    failingRatePerSecond: 3_100,
    stoppedBy: 'converged',
    elapsedMs: 14_200,
    maxSteps: 20,
    maxSearchMs: 120_000,
    spread: {
      steps: 3,
      passed: 3,
      achievedRatePerSecond: { min: 2_970, median: 2_970, max: 2_970 },
      p99Us: { min: 1_000, median: 1_000, max: 1_000 },
    },
    steps,
  };
}

function searchResult(): RunResult {
  const result = makeRunResult();
  result.phases[0] = { ...result.phases[0]!, search: searchRecord() };
  return runResultSchema.parse(result);
}

let browser: Browser | null = null;
let workDir = '';

before(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'rpcbench-report-search-'));
  if (existsSync(CHROMIUM))
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu'],
    });
});

after(async () => {
  await browser?.close();
  await rm(workDir, { recursive: true, force: true });
});

test('the summary states the rate found, its bracket and spread, and lists every step', () => {
  const summary = formatSummary(searchResult());
  assert.match(
    summary,
    /capacity search, cached: p99 < 5ms held up to 3,000 calls\/s and failed at 3,100 calls\/s \(converged after 12 of at most 20 steps, 14\.2s\); at that rate over 3 measurements \(3 passed\): achieved 2,970 calls\/s, p99 1\.00.ms/,
  );
  const stepLines = summary.split('\n').filter((line) => /^ {2}\d+ +(grow|bisect|repeat) /.test(line));
  assert.equal(stepLines.length, 12);
  assert.match(stepLines[5]!, /3,200 .* failed p99 < 5ms/);
  assert.doesNotMatch(summary, /UNCONFIRMED/);
});

test('a rate whose repeated measurements disagree is marked unconfirmed', () => {
  const result = searchResult();
  const search = result.phases[0]!.search!;
  result.phases[0]!.search = { ...search, spread: { ...search.spread!, passed: 2 } };
  assert.match(
    formatSummary(result),
    /\(2 passed\): .*; UNCONFIRMED: the measurements at that rate disagree/,
  );
});

test('the curve puts the steps in order of achieved rate, p99 split by verdict', () => {
  const chart = capacityChart(searchRecord());
  assert.deepEqual(
    chart.achievedPerSecond,
    [...chart.achievedPerSecond].sort((a, b) => a - b),
  );
  assert.equal(chart.achievedPerSecond.length, 12);
  const failedAt = chart.p99FailedMs.flatMap((value, index) => (value === null ? [] : [index]));
  assert.deepEqual(failedAt, [10, 11], 'the two steps above 3,000/s missed');
  assert.ok(chart.p99PassedMs.every((value, index) => (value === null) === failedAt.includes(index)));
});

test('the HTML report draws the capacity curve offline and lists the steps', async () => {
  const html = renderHtmlReport([searchResult()]);
  assert.match(html, /held up to 3,000 calls\/s/);
  assert.ok(browser, `${CHROMIUM} is missing: run scripts/install-system-deps.sh`);
  const file = join(workDir, 'search.html');
  await writeHtmlReport([searchResult()], file);
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') errors.push(message.text());
  });
  try {
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    await page.waitForSelector('html[data-charts-ready]', { timeout: 30_000 });
    assert.deepEqual(errors, []);
    const chart = page.locator('[data-role="capacity"]');
    assert.equal(await chart.count(), 1);
    assert.equal(await chart.locator('canvas').count(), 1, 'uPlot drew the curve');
    assert.equal(await chart.locator('.warning').count(), 0, 'no drawing failure');
    assert.equal(await page.locator('[data-role="search-steps"] tbody tr').count(), 12);
    assert.match(
      (await page.locator('[data-role="search-verdict"]').textContent()) ?? '',
      /held up to 3,000 calls\/s/,
    );
  } finally {
    await page.close();
  }
});
