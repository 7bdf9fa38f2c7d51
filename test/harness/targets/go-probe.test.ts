// The call rpcbench makes before any load, against a Go GeeRPC server that answers it with an error.
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { buildGoPeer } from '../../../src/benchmarks/go-peer/build.ts';
import { type GoServer, startGoServer } from '../../../src/benchmarks/go-peer/go-peer.ts';
import { runCli } from '../../fixtures/run-cli.ts';

let dir: string;
let go: GoServer;
before(
  async () => {
    dir = await mkdtemp(join(tmpdir(), 'rpcbench-go-probe-'));
    await buildGoPeer();
    go = await startGoServer({ listen: ['tcp@127.0.0.1:0'] });
  },
  { timeout: 300_000 },
);
after(async () => {
  await go?.stop();
  await rm(dir, { recursive: true, force: true });
});

test('arguments of the wrong Go type: the probe call fails with the server’s text, no load is sent, exit 1', async () => {
  const address = go.addresses[0]!;
  const out = join(dir, 'wrong-type');
  const run = await runCli('bench.ts', [
    '--target',
    address,
    '--codec',
    'gob',
    '--method',
    'Foo.Sum',
    '--args',
    '{"Num1":"one","Num2":2}',
    '--calls',
    '1000',
    '--out',
    out,
  ]);
  assert.equal(run.code, 1, run.stderr);
  assert.match(run.stderr, new RegExp(`target ${address}: the probe call failed: .*gob: .*type`));
  assert.doesNotMatch(run.stderr, /unreachable/);
  const written = await readdir(out).catch(() => []);
  assert.deepEqual(
    written.filter((name) => name.endsWith('.json')),
    [],
    'no result: the run never started',
  );
});
