import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Etcd3 } from 'etcd3';
import { FleetKeys } from '../../src/harness/distributed/fleet-keys.ts';
import { LoadAgent } from '../../src/harness/distributed/load-agent.ts';
import { gitCommit } from '../../src/result/environment.ts';
import { startEtcd } from '../fixtures/etcd.ts';
import { runCli } from '../fixtures/run-cli.ts';

test('npm run bench with a load host writing `{not json` as warmed: exit 1 naming host and key, result written, keys cleaned', {
  timeout: 120_000,
}, async (t) => {
  const etcd = await startEtcd();
  const client = new Etcd3({ hosts: etcd.endpoint });
  t.after(async () => {
    client.close();
    await etcd.stop();
  });
  const keys = new FleetKeys('/rpcbench-test/cli-malformed/');
  const good = await LoadAgent.start({
    etcd: [etcd.endpoint],
    name: 'good',
    prefix: keys.prefix,
    threads: 1,
  });
  t.after(() => good.close());
  // The hostile host: registers as a real one would, then answers the plan with a value that is not JSON.
  await client.put(keys.host('bad')).value(
    JSON.stringify({
      name: 'bad',
      host: 'h',
      cores: 1,
      node: 'v20',
      commit: await gitCommit(),
      threads: 1,
    }),
  );
  const watcher = await client.watch().prefix(keys.runs()).create();
  t.after(() => watcher.cancel());
  watcher.on('put', (kv) => {
    const key = kv.key.toString();
    if (key.endsWith('/plan')) {
      client
        .put(`${key.slice(0, -'plan'.length)}warmed/bad`)
        .value('{not json')
        .then(
          () => undefined,
          () => undefined,
        );
    }
  });
  const out = await mkdtemp(join(tmpdir(), 'rpcbench-malformed-agent-'));
  t.after(() => rm(out, { recursive: true, force: true }));
  const started = Date.now();
  const run = await runCli(
    'bench.ts',
    [
      'scenarios/roundrobin.ts',
      '--duration',
      '3s',
      '--warmup',
      '200ms',
      '--quiet',
      '--out',
      out,
      '--agents-etcd',
      etcd.endpoint,
      '--agents',
      'bad,good',
      '--agents-wait',
      '10s',
      '--agents-prefix',
      keys.prefix,
    ],
    { timeoutMs: 90_000 },
  );
  assert.equal(run.code, 1, run.stderr);
  assert.ok(Date.now() - started < 3_000 + 30_000, `took ${Date.now() - started} ms`);
  assert.match(run.stderr, /load host bad wrote a malformed value at \S+\/warmed\/bad: /);
  const file = (await readdir(out)).find((name) => name.endsWith('.json'));
  assert.ok(file, `a result file is written: ${run.stderr}`);
  assert.equal(JSON.parse(await readFile(join(out, file), 'utf8')).partial, true);
  assert.deepEqual(await client.getAll().prefix(keys.runs()).keys(), [], 'the run keys are removed');
  assert.deepEqual(
    await client.getAll().prefix(`${keys.prefix}claims/`).keys(),
    [],
    'the hosts are released',
  );
});
