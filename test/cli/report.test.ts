import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { writeNewHtmlReport } from '../../src/report/html-report.ts';
import { defaultReportPath } from '../../src/report/output-path.ts';
import { makeRunResult } from '../fixtures/report-results.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
let dir = '';

interface CliOutcome {
  code: number;
  stdout: string;
  stderr: string;
}

function runReport(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<CliOutcome> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'src/cli/report.ts', ...args],
      { cwd: root, env, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rpcbench-report-cli-'));
  await writeFile(join(dir, 'a.json'), JSON.stringify(makeRunResult({ name: 'run-a' })));
  await writeFile(join(dir, 'b.json'), JSON.stringify(makeRunResult({ name: 'run-b', seed: 2 })));
  const broken = makeRunResult() as unknown as {
    phases: { latency: { summary: Record<string, unknown> } }[];
  };
  broken.phases[1]!.latency.summary.p99Us = 'fast';
  await writeFile(join(dir, 'broken.json'), JSON.stringify(broken));
  await writeFile(join(dir, 'not-json.json'), '{ "kind": ');
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('one result: the page is written beside it with the same name', async () => {
  const { code, stdout } = await runReport([join(dir, 'a.json')]);
  assert.equal(code, 0);
  const html = join(dir, 'a.html');
  assert.ok(stdout.includes(html));
  assert.ok((await readFile(html, 'utf8')).includes('run-a'));
});

test("several results: compare-<timestamp>.html in the first one's folder, holding every run", async () => {
  const { code, stdout } = await runReport([join(dir, 'a.json'), join(dir, 'b.json')]);
  assert.equal(code, 0);
  const compare = (await readdir(dir)).find((name) =>
    /^compare-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}\.html$/.test(name),
  );
  assert.ok(compare, 'a compare-<timestamp>.html file');
  assert.ok(stdout.includes(join(dir, compare)));
  const page = await readFile(join(dir, compare), 'utf8');
  assert.ok(page.includes('run-a') && page.includes('run-b') && page.includes('id="comparison"'));
});

test('comparisons made at the same moment get different files', async () => {
  const sub = join(dir, 'same-moment');
  await mkdir(sub);
  const now = new Date('2026-11-30T12:00:00.000Z');
  const path = defaultReportPath([join(sub, 'a.json'), join(sub, 'b.json')], now);
  assert.equal(path, join(sub, 'compare-2026-11-30T12-00-00-000.html'));
  const a = makeRunResult({ name: 'run-a' });
  const written = await Promise.all([0, 1, 2].map(() => writeNewHtmlReport([a, a], path)));
  assert.deepEqual(written.map((file) => basename(file)).sort(), [
    'compare-2026-11-30T12-00-00-000-1.html',
    'compare-2026-11-30T12-00-00-000-2.html',
    'compare-2026-11-30T12-00-00-000.html',
  ]);
});

test('more than two results need --compare-all; with it, every run is compared', async () => {
  const three = [join(dir, 'a.json'), join(dir, 'b.json'), join(dir, 'a.json')];
  const refused = await runReport(three);
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /3 result files given.*--compare-all/s);
  const out = join(dir, 'all.html');
  const { code } = await runReport([...three, '--compare-all', '--out', out]);
  assert.equal(code, 0);
  const page = await readFile(out, 'utf8');
  assert.ok(page.includes('id="run-2"') && page.includes('<h2>3 runs</h2>'));
});

test('--out writes where it is told, creating the folder', async () => {
  const out = join(dir, 'nested', 'deeper', 'report.html');
  const { code } = await runReport([join(dir, 'a.json'), '--out', out]);
  assert.equal(code, 0);
  assert.ok(existsSync(out));
});

test('an invalid result exits with 2 and names the file and the field', async () => {
  const file = join(dir, 'broken.json');
  const { code, stderr } = await runReport([join(dir, 'a.json'), file, '--out', join(dir, 'never.html')]);
  assert.equal(code, 2);
  assert.ok(stderr.includes(file), stderr);
  assert.ok(stderr.includes('phases[1].latency.summary.p99Us'), stderr);
  assert.ok(!existsSync(join(dir, 'never.html')));
});

test('a file that is not JSON, or is missing, exits with 2 and names it', async () => {
  for (const name of ['not-json.json', 'missing.json']) {
    const file = join(dir, name);
    const { code, stderr } = await runReport([file]);
    assert.equal(code, 2, name);
    assert.ok(stderr.includes(file), stderr);
  }
});

test('no file at all is a usage error; --help is not', async () => {
  const none = await runReport([]);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /missing required argument/);
  const help = await runReport(['--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /--out <file>/);
  assert.match(help.stdout, /--open/);
});

test('--open without a desktop says where the page is', {
  skip: process.platform !== 'linux' && 'a desktop is always there off Linux',
}, async () => {
  await mkdir(join(dir, 'open'), { recursive: true });
  const out = join(dir, 'open', 'r.html');
  const env = { ...process.env, DISPLAY: '', WAYLAND_DISPLAY: '' };
  const { code, stdout } = await runReport([join(dir, 'a.json'), '--out', out, '--open'], env);
  assert.equal(code, 0);
  assert.ok(stdout.includes(`the report is at file://${out}`), stdout);
});
