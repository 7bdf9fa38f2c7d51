import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { HOSTILE_SERVER_KINDS, startHostileServer } from '../../src/benchmarks/soak/hostile-servers.ts';
import type { RunResult } from '../../src/result/result-schema.ts';
import { startServer } from '../fixtures/rpc-server.ts';
import { runCli } from '../fixtures/run-cli.ts';

/** The run's 2 s, the probe's 5 s timeout, the drain and the start of a process under load. */
const RUN_LIMIT_MS = 2_000 + 25_000;

test('bench against one well-behaved and every kind of hostile target ends on time, writes its result, counts errors per server', {
  timeout: 90_000,
}, async (t) => {
  const { address: good } = await startServer(t);
  const hostile = await Promise.all(HOSTILE_SERVER_KINDS.map((kind) => startHostileServer(kind)));
  t.after(() => Promise.all(hostile.map((server) => server.close())));
  const out = await mkdtemp(join(tmpdir(), 'rpcbench-hostile-'));
  t.after(() => rm(out, { recursive: true, force: true }));
  const targets = [good, ...hostile.map((server) => server.address)];
  const started = Date.now();
  const run = await runCli(
    'bench.ts',
    [
      '--target',
      targets.join(','),
      '--method',
      'Foo.Sum',
      '--args',
      '{"Num1":1,"Num2":2}',
      '--codec',
      'gob',
      '--duration',
      '2s',
      '--warmup',
      '0',
      '--concurrency',
      '12',
      '--quiet',
      '--out',
      out,
    ],
    { timeoutMs: 80_000 },
  );
  const elapsedMs = Date.now() - started;
  assert.equal(run.code, 0, run.stderr);
  assert.ok(elapsedMs < RUN_LIMIT_MS, `took ${elapsedMs} ms`);
  const file = (await readdir(out)).find((name) => name.endsWith('.json'));
  assert.ok(file, 'a result file is written');
  const result = JSON.parse(await readFile(join(out, file), 'utf8')) as RunResult;
  const [phase] = result.phases;
  assert.ok(phase);
  const byAddress = new Map(phase.servers.map((server) => [server.address, server]));
  const well = byAddress.get(good)!;
  assert.ok(well.clientCount > 0 && well.errors === 0, JSON.stringify(well));
  for (const server of hostile) {
    const share = byAddress.get(server.address);
    assert.ok(
      share !== undefined && share.errors > 0 && share.errors === share.clientCount,
      `${server.kind}: ${JSON.stringify(share)}`,
    );
  }
  // What went wrong is named: undecodable replies, oversized frames, unanswered calls.
  assert.ok((phase.errorsByCode.ERR_BAD_FRAME ?? 0) > 0, JSON.stringify(phase.errorsByCode));
  assert.match(run.stdout, /ERR_BAD_FRAME e\.g\. rpc client: reading reply: gob: /);
  assert.match(run.stdout, /client count\s+errors\s+server count/);
});

test('bench against hostile targets only: the probe fails within its timeout, naming every server', {
  timeout: 60_000,
}, async (t) => {
  const hostile = await Promise.all(HOSTILE_SERVER_KINDS.map((kind) => startHostileServer(kind)));
  t.after(() => Promise.all(hostile.map((server) => server.close())));
  const started = Date.now();
  const run = await runCli('bench.ts', [
    '--target',
    hostile.map((server) => server.address).join(','),
    '--method',
    'Foo.Sum',
    '--args',
    '{}',
    '--codec',
    'gob',
    '--duration',
    '2s',
    '--quiet',
    '--out',
    join(tmpdir(), 'rpcbench-never-written'),
  ]);
  assert.equal(run.code, 1, run.stderr);
  assert.ok(Date.now() - started < 20_000, `took ${Date.now() - started} ms`);
  assert.match(run.stderr, /no server answered the probe call/);
  for (const server of hostile) assert.ok(run.stderr.includes(server.address), server.kind);
  assert.match(run.stderr, /did not answer the probe call of Foo\.Sum within 5 s/);
  assert.match(run.stderr, /gob: over budget/);
});
