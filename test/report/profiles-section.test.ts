import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { writeHtmlReport } from '../../src/report/html-report.ts';
import type { ThreadProfiles } from '../../src/result/profile-schema.ts';
import { runResultSchema } from '../../src/result/result-schema.ts';
import { makeRunResult } from '../fixtures/report-results.ts';

let browser: Browser;
let workDir = '';

before(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'rpcbench-report-profiles-'));
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox'],
  });
});

after(async () => {
  await browser?.close();
  await rm(workDir, { recursive: true, force: true });
});

const HOSTILE = '<img src=x onerror="document.title=1">';

const profiles: ThreadProfiles[] = [
  {
    kind: 'load',
    files: ['reports/run-profile-a/load-1-2-0.cpuprofile', 'reports/run-profile-a/load-1-3-0.cpuprofile'],
    busyMs: 4_210,
    top: [
      { functionName: 'recordValue', location: 'histogram.ts:40', selfMs: 820.5, selfPercent: 19.5 },
      { functionName: '(garbage collector)', location: '', selfMs: 400, selfPercent: 9.5 },
      { functionName: HOSTILE, location: 'user.ts:1', selfMs: 12, selfPercent: 0.3 },
    ],
  },
  {
    kind: 'server',
    files: ['reports/run-profile-a/server-1-4-0.cpuprofile'],
    busyMs: 1_900,
    top: [{ functionName: 'dispatch', location: 'server-connection.ts:200', selfMs: 300, selfPercent: 15.8 }],
  },
];

async function renderedTables(withProfiles: boolean) {
  const result = makeRunResult();
  if (withProfiles) result.profiles = profiles;
  runResultSchema.parse(result);
  const file = join(workDir, `${withProfiles ? 'with' : 'without'}.html`);
  await writeHtmlReport([result], file);
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  try {
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    const tables = await page.$$eval('table[data-role="profile"]', (nodes) =>
      nodes.map((table) => ({
        kind: table.getAttribute('data-kind'),
        functions: [...table.querySelectorAll('[data-field="function"]')].map((cell) => cell.textContent),
        shares: [...table.querySelectorAll('[data-field="selfPercent"]')].map((cell) => cell.textContent),
        images: table.querySelectorAll('img').length,
      })),
    );
    return { tables, errors, title: await page.title(), visible: await page.isVisible('text=CPU profiles') };
  } finally {
    await page.close();
  }
}

test('the report lists the heaviest functions of each kind of thread, names as text', async () => {
  const shown = await renderedTables(true);
  assert.deepEqual(shown.errors, []);
  assert.ok(shown.visible, 'the section is visible');
  assert.deepEqual(
    shown.tables.map((table) => table.kind),
    ['load', 'server'],
  );
  assert.deepEqual(shown.tables[0]!.functions, ['recordValue', '(garbage collector)', HOSTILE]);
  assert.equal(shown.tables[0]!.shares[0], '19.5\u00a0%');
  assert.equal(shown.tables[0]!.images, 0, 'a function name is never markup');
  assert.notEqual(shown.title, '1');
  assert.deepEqual(shown.tables[1]!.functions, ['dispatch']);
});

test('a run without profiles has no profile section', async () => {
  const shown = await renderedTables(false);
  assert.deepEqual(shown.errors, []);
  assert.deepEqual(shown.tables, []);
  assert.ok(!shown.visible);
});
