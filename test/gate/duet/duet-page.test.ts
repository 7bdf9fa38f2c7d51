// The duet's HTML page (--report), as a browser shows it: the verdict rows, per metric the paired
// ratios with their interval and limit, the A/B latency curves; quiet, offline, peer text inert.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { Server } from '../../../src/rpc/server/server.ts';
import { launchChromium, openFile } from '../../fixtures/chromium.ts';
import { runCli } from '../../fixtures/run-cli.ts';

const HOSTILE = '<img src=x onerror=alert(1)>';
const PAIRS = 12;

/** The candidate's handler refuses every 9th key with a message that is HTML. */
class Kv {
  constructor(readonly failing: boolean) {}
  Get(key: number): number {
    if (this.failing && key % 9 === 0) throw new Error(`${HOSTILE} key ${key}`);
    return key;
  }
}

let dir: string;
let browser: Browser;
const servers: Server[] = [];
let json: {
  rows: { metric: string; now: string; verdict: string }[];
  duet: { metric: string; ratios: number[] }[];
};

before(
  async () => {
    dir = await mkdtemp(join(tmpdir(), 'rpcbench-duet-page-'));
    const addresses: string[] = [];
    for (const failing of [false, true]) {
      const server = new Server({ log: () => {} }).register(new Kv(failing), { name: 'Kv' });
      servers.push(server);
      addresses.push(await server.listen('http@127.0.0.1:0'));
    }
    const scenario = join(dir, 'kv.ts');
    await writeFile(
      scenario,
      `export default {
  name: 'duet-page',
  target: { addresses: ['${addresses[1]}'] },
  codec: 'json',
  call: { method: 'Kv.Get', args: (i) => i },
  load: { model: 'closed', concurrency: 2 },
};
`,
    );
    const exit = await runCli(
      'gate.ts',
      [scenario, '--baseline-target', addresses[0]!, '--pairs', String(PAIRS), '--window-ms', '30'].concat([
        '--remeasure',
        '0',
        '--report',
        join(dir, 'report'),
        '--json',
        join(dir, 'report/duet.json'),
      ]),
      { timeoutMs: 120_000 },
    );
    assert.equal(exit.code, 1, exit.stdout + exit.stderr);
    json = JSON.parse(await readFile(join(dir, 'report/duet.json'), 'utf8'));
    browser = await launchChromium();
  },
  { timeout: 180_000 },
);

after(async () => {
  await browser?.close();
  await Promise.all(servers.map((server) => server.destroy()));
  await rm(dir, { recursive: true, force: true });
});

test('the duet page renders offline without console errors and shows every verdict row', async () => {
  const opened = await openFile(browser, join(dir, 'report/gate-duet.html'));
  const { page } = opened;
  try {
    assert.deepEqual(opened.requests, [opened.url], 'the page requests nothing but itself');
    assert.deepEqual(opened.errors, [], 'no console error');
    assert.deepEqual(opened.dialogs, [], "the peer's HTML ran nothing");
    assert.match((await page.locator('h1#outcome').textContent()) ?? '', /^Regression gate: FAIL/);
    const rows = await page.locator('tbody tr').evaluateAll((trs) =>
      trs.map((tr) => ({
        cells: Array.from(
          (tr as unknown as { cells: ArrayLike<{ textContent: string }> }).cells,
          (td) => td.textContent,
        ),
        failed: (tr as unknown as { className: string }).className === 'fail',
      })),
    );
    assert.deepEqual(
      rows.map((row) => [row.cells[0], row.cells[2], row.cells[5]]),
      json.rows.map((row) => [row.metric, row.now, row.verdict]),
      'the table holds the rows of the terminal and the JSON',
    );
    const failed = rows.find((row) => row.cells[0]?.endsWith('B › calls answered without error'));
    assert.equal(failed?.failed, true, 'the failed row is marked');
    assert.match(
      failed!.cells[2]!,
      new RegExp(`ERR_REMOTE \\d+ \\(first: ${HOSTILE.replace(/[()]/g, '\\$&')} key \\d+\\)`),
    );
    assert.equal(await page.locator('img').count(), 0, 'the peer text is text, not an element');
    assert.ok(await page.locator('tbody tr.fail').first().isVisible());
  } finally {
    await page.close();
  }
});

test('per metric: every paired ratio drawn, the interval band and the limit line inside the plot; A and B curves', async () => {
  const { page } = await openFile(browser, join(dir, 'report/gate-duet.html'));
  try {
    for (const metric of json.duet) {
      const figure = page.locator(`figure[data-metric="${metric.metric}"]`);
      assert.equal(await figure.count(), 1, metric.metric);
      const svg = figure.locator('svg');
      const box = await svg.boundingBox();
      assert.ok(box !== null && box.width > 300 && box.height > 50, `${metric.metric} plot is laid out`);
      assert.equal(await svg.locator('circle').count(), metric.ratios.length, 'one dot per pair');
      for (const shape of ['rect', 'line[stroke="#c00"]']) {
        const inner = await svg.locator(shape).first().boundingBox();
        assert.ok(
          inner !== null && inner.x >= box!.x && inner.x + inner.width <= box!.x + box!.width + 1,
          `${metric.metric}: ${shape} inside the plot`,
        );
      }
      assert.match(
        (await figure.locator('figcaption').textContent()) ?? '',
        /interval [\d.]+–[\d.]+, limit [\d.]+, verdict \w+/,
      );
    }
    const curve = page.locator('figure[data-phase="roundrobin"] svg');
    assert.equal(await curve.locator('polyline').count(), 2, 'A and B');
    const points = await curve
      .locator('polyline')
      .evaluateAll((lines) =>
        lines.map(
          (line) =>
            (line as unknown as { getAttribute(name: string): string }).getAttribute('points').split(' ')
              .length,
        ),
      );
    assert.deepEqual(points, [9, 9], 'nine percentiles each');
  } finally {
    await page.close();
  }
});
