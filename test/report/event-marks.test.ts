import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { SERIES_COLOURS } from '../../src/report/chart-spec.ts';
import { writeHtmlReport } from '../../src/report/html-report.ts';
import type { RunResult } from '../../src/result/result-schema.ts';
import { makeRunResult } from '../fixtures/report-results.ts';

let browser: Browser;
let workDir = '';

before(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'rpcbench-report-marks-'));
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox'],
  });
});

after(async () => {
  await browser?.close();
  await rm(workDir, { recursive: true, force: true });
});

/** The fixture with per-server counts on every interval and, if asked, server 3 ejected and let back in phase 0. */
function withShares(marked: boolean): RunResult {
  const result = makeRunResult({
    addresses: ['tcp@127.0.0.1:1', 'tcp@127.0.0.1:2', 'tcp@127.0.0.1:3', 'tcp@127.0.0.1:4'],
    weights: [1, 1, 1, 1],
  });
  for (const phase of result.phases) {
    phase.servers.forEach((server, i) => {
      server.timeline = phase.timeline.map((entry) => ({ ...entry, calls: 10 + i }));
    });
    phase.events = [];
  }
  const phase = result.phases[0]!;
  const address = phase.servers[3]!.address;
  if (marked) {
    phase.events = [
      { kind: 'ejected', address, atMs: 500, reason: 'failure-percentage', ejectionMs: 1_000 },
      { kind: 'returned', address, atMs: 1_600 },
    ];
  }
  return result;
}

/** Canvas pixels of the call timeline (not the share chart) near `hex`: the marks' colour, used by no series there. */
async function timelinePixels(result: RunResult, name: string, hex: string) {
  const file = join(workDir, `${name}.html`);
  await writeHtmlReport([result], file);
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  try {
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    await page.waitForSelector('html[data-charts-ready]', { timeout: 30_000 });
    const found = await page.evaluate((colour) => {
      // biome-ignore lint/suspicious/noExplicitAny: the DOM types are not part of this compilation
      const doc = (globalThis as unknown as { document: any }).document;
      const [r, g, b] = [1, 3, 5].map((i) => Number.parseInt(colour.slice(i, i + 2), 16));
      const canvas = doc.querySelector('[data-role="timeline"] canvas');
      const copy = doc.createElement('canvas');
      copy.width = canvas.width;
      copy.height = canvas.height;
      const context = copy.getContext('2d', { willReadFrequently: true });
      context.drawImage(canvas, 0, 0);
      const { data } = context.getImageData(0, 0, copy.width, copy.height);
      let count = 0;
      for (let i = 0; i < data.length; i += 4) {
        if (data[i + 3] < 200) continue;
        if (Math.abs(data[i] - r!) + Math.abs(data[i + 1] - g!) + Math.abs(data[i + 2] - b!) < 40) count++;
      }
      return {
        count,
        shareCharts: doc.querySelectorAll('[data-role="share-timeline"] canvas').length,
        rows: doc.querySelectorAll('.events-table tbody tr').length,
      };
    }, hex);
    return { ...found, errors };
  } finally {
    await page.close();
  }
}

test('ejections and returns are drawn on the timeline in the ejected server colour, and listed', async () => {
  const colour = SERIES_COLOURS[3]!;
  const marked = await timelinePixels(withShares(true), 'marked', colour);
  const plain = await timelinePixels(withShares(false), 'plain', colour);
  assert.deepEqual(marked.errors, []);
  assert.deepEqual(plain.errors, []);
  assert.equal(plain.count, 0, 'no series of the call timeline has that colour');
  assert.ok(marked.count > 50, `mark pixels: ${marked.count}`);
  assert.equal(marked.rows, 2);
  assert.equal(plain.rows, 0);
  assert.ok(marked.shareCharts > 0, 'the share-per-second chart is drawn');
});
