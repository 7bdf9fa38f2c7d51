import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { readResult } from '../../src/result/result-file.ts';
import { runCli } from '../fixtures/run-cli.ts';

let outDir = '';
before(async () => {
  outDir = await mkdtemp(join(tmpdir(), 'rpcbench-cli-search-'));
});
after(async () => {
  await rm(outDir, { recursive: true, force: true });
});

test('bench runs a capacity search, prints its verdict and steps, and records every step', async () => {
  const { code, stdout, stderr } = await runCli('bench.ts', [
    'test/fixtures/scenarios/small-search.ts',
    '--out',
    outDir,
    '--quiet',
  ]);
  assert.equal(code, 0, stderr);
  assert.match(stderr, /capacity search for p99 < 1s: steps of 0\.3s from 200 calls\/s, at most 6 steps/);
  assert.match(stdout, /capacity search, roundrobin: p99 < 1s (held up to|failed at every rate)/);
  const json = (await readdir(outDir)).find((name) => name.endsWith('.json'))!;
  const result = await readResult(join(outDir, json));
  const search = result.phases[0]!.search!;
  assert.ok(search.steps.length >= 1 && search.steps.length <= 6, `${search.steps.length} steps`);
  const stepRows = stdout.split('\n').filter((line) => /^ {2}\d+ +(grow|bisect|repeat) /.test(line));
  assert.equal(stepRows.length, search.steps.length);
});

test('without a terminal, a search prints each step as it ends, before the phase ends', async () => {
  const dir = join(outDir, 'steps');
  const { code, stderr } = await runCli('bench.ts', [
    'test/fixtures/scenarios/small-search.ts',
    '--out',
    dir,
  ]);
  assert.equal(code, 0, stderr);
  const json = (await readdir(dir)).find((name) => name.endsWith('.json'))!;
  const steps = (await readResult(join(dir, json))).phases[0]!.search!.steps;
  const lines = stderr.split('\n');
  const stepLines = lines.filter((line) => /^small-search: search step \d+ /.test(line));
  assert.deepEqual(
    stepLines.map((line) => /step (\d+) (grow|bisect|repeat): offered ([\d.,]+)\/s/.exec(line)?.slice(1)),
    steps.map((step, index) => [String(index + 1), step.kind, String(step.offeredRatePerSecond)]),
  );
  const phaseEnd = lines.findIndex((line) => line.startsWith('small-search: phase roundrobin:'));
  assert.ok(phaseEnd > lines.indexOf(stepLines.at(-1)!), 'the steps are printed as they end');
});

test('--search with an objective that does not parse exits 2 naming it', async () => {
  const { code, stderr } = await runCli('bench.ts', [
    'scenarios/roundrobin.ts',
    '--search',
    'p99 is low',
    '--out',
    outDir,
  ]);
  assert.equal(code, 2);
  assert.match(stderr, /load\.slo\.0: threshold "p99 is low"/);
});

test('--help names --search', async () => {
  const { code, stdout } = await runCli('bench.ts', ['--help']);
  assert.equal(code, 0);
  assert.match(stdout, /--search <objective>/);
});
