import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, test } from 'node:test';
import { readResult } from '../../src/result/result-file.ts';
import { runCli } from '../fixtures/run-cli.ts';

let outDir = '';

before(async () => {
  outDir = await mkdtemp(join(tmpdir(), 'rpcbench-cli-profile-'));
});

after(async () => {
  await rm(outDir, { recursive: true, force: true });
});

test('bench --profile writes a parseable profile per thread, load threads included, and summarises them in the result', async () => {
  const { code, stderr } = await runCli('bench.ts', [
    'scenarios/roundrobin.ts',
    '--duration',
    '1s',
    '--warmup',
    '200ms',
    '--quiet',
    '--profile',
    '--out',
    outDir,
  ]);
  assert.equal(code, 0, stderr);
  for (const kind of ['main', 'load', 'server']) {
    assert.match(stderr, new RegExp(`CPU profile, ${kind} threads \\(\\d+ files?, \\d+ ms busy\\):`));
  }

  const entries = await readdir(outDir);
  const resultFile = entries.find((name) => name.endsWith('.json'))!;
  const result = await readResult(join(outDir, resultFile));
  const profiles = result.profiles ?? [];
  assert.deepEqual(profiles.map((profile) => profile.kind).sort(), ['load', 'main', 'server']);
  const profileDir = entries.find((name) => /^roundrobin-profile-/.test(name));
  assert.ok(profileDir !== undefined, `a profile folder beside the result: ${entries.join(', ')}`);
  const written = (await readdir(join(outDir, profileDir))).sort();
  assert.deepEqual(
    written,
    profiles.flatMap((profile) => profile.files.map((file) => basename(file))).sort(),
    'the result names every file written, and only those',
  );

  for (const profile of profiles) {
    assert.ok(profile.files.length >= 1, `${profile.kind}: a file per thread`);
    for (const file of profile.files) {
      assert.match(basename(file), new RegExp(`^${profile.kind}-\\d+-\\d+-\\d+\\.cpuprofile$`));
      const parsed = JSON.parse(await readFile(file, 'utf8'));
      assert.ok(parsed.nodes.length > 0 && parsed.samples.length > 0, `${file}: samples recorded`);
      assert.equal(parsed.samples.length, parsed.timeDeltas.length);
    }
    assert.ok(profile.busyMs > 0 && profile.top.length > 0, `${profile.kind}: busy time and functions`);
  }
  // The load thread drives the XClient: its own code shows among its heaviest functions.
  const load = profiles.find((profile) => profile.kind === 'load')!;
  const loadCode = load.top.filter((fn) => /\.ts:\d+$/.test(fn.location));
  assert.ok(
    loadCode.length > 0,
    `rpcbench's code among the load thread's heaviest: ${load.top.map((fn) => `${fn.functionName} ${fn.location}`).join('; ')}`,
  );
  const html = await readFile(join(outDir, resultFile.replace(/\.json$/, '.html')), 'utf8');
  assert.match(html, /CPU profiles/, 'the report has the profiles section');
});
