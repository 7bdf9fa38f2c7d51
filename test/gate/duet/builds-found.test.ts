// The duet's two builds found as a scenario's target finds its servers: a GeeRPC registry (Go's,
// with Go servers heartbeating to it) and etcd (a real etcd, rpcbench servers registered in it),
// with the servers' own call counts read from their debug pages.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { buildGoPeer } from '../../../src/benchmarks/go-peer/build.ts';
import {
  type GoRegistry,
  type GoServer,
  startGoRegistry,
  startGoServer,
} from '../../../src/benchmarks/go-peer/go-peer.ts';
import { type DuetDecision, runDuet } from '../../../src/gate/duet/run-duet.ts';
import { parseDuetTarget } from '../../../src/gate/duet/target-source.ts';
import { type EtcdRegistration, registerWithEtcd } from '../../../src/registry/etcd-registration.ts';
import { Server } from '../../../src/rpc/server/server.ts';
import { type EtcdInstance, startEtcd } from '../../fixtures/etcd.ts';
import { runCli } from '../../fixtures/run-cli.ts';

const SHORT = { pairs: 10, windowMs: 30, warmupPairs: 1, remeasure: 0 } as const;
const LIMITS = { maxSlowdown: 10, maxThroughputSlowdown: 10 } as const;

let dir: string;
const stops: (() => Promise<unknown>)[] = [];

before(
  async () => {
    await buildGoPeer();
    dir = await mkdtemp(join(tmpdir(), 'rpcbench-duet-targets-'));
  },
  { timeout: 300_000 },
);

after(async () => {
  for (const stop of stops.reverse()) await stop().catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
});

async function waitFor(what: string, ready: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await ready()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

test('both builds found through GeeRPC registries, their Go servers counting every call on their debug pages', {
  timeout: 300_000,
}, async () => {
  const registries: GoRegistry[] = [];
  const builds: GoServer[] = [];
  for (let i = 0; i < 2; i++) {
    const registry = await startGoRegistry();
    stops.push(() => registry.stop());
    // Two servers per build, over http@: GeeRPC serves its debug page on the same port.
    for (let j = 0; j < 2; j++) {
      const server = await startGoServer({ listen: ['http@127.0.0.1:0'], registry: registry.url });
      stops.push(() => server.stop());
      builds.push(server);
    }
    await waitFor('two servers in the registry', async () => {
      const listed = (await fetch(registry.url)).headers.get('x-geerpc-servers') ?? '';
      return listed.split(',').filter((item) => item !== '').length === 2;
    });
    registries.push(registry);
  }
  const scenario = join(dir, 'registry.ts');
  await writeFile(
    scenario,
    `export default {
  name: 'duet-registry',
  target: { registry: '${registries[1]!.url}' },
  codec: 'gob',
  call: { method: 'Bench.Echo', args: 'hi', check: (reply) => reply === 'hi' || 'wrong reply' },
  select: 'roundrobin',
  load: { model: 'closed', concurrency: 4 },
};
`,
  );
  const json = join(dir, 'registry.json');
  const exit = await runCli(
    'gate.ts',
    [
      scenario,
      '--baseline-target',
      registries[0]!.url,
      '--pairs',
      '10',
      '--window-ms',
      '30',
      '--json',
      json,
    ].concat(['--max-slowdown', '10', '--max-throughput-slowdown', '10']),
    { timeoutMs: 240_000 },
  );
  assert.equal(exit.code, 0, exit.stdout + exit.stderr);
  assert.match(
    exit.stdout,
    new RegExp(
      `Duet: A \\(baseline\\) registry ${registries[0]!.url}; B \\(candidate\\) registry ${registries[1]!.url}`,
    ),
  );
  for (const side of ['A', 'B']) {
    assert.match(
      exit.stdout,
      new RegExp(
        `duet-registry › roundrobin › ${side} › servers counted the calls +(\\d+) counted +\\1 counted by 2 server\\(s\\)' debug pages +– +– +ok`,
      ),
    );
  }
  const result = JSON.parse(await readFile(json, 'utf8')) as { rows: { metric: string }[] };
  assert.equal(result.rows.filter((row) => row.metric.includes('servers counted')).length, 2);
});

/** A key-value service whose handler fails every `failEvery`-th key, as a broken build would. */
class Kv {
  constructor(readonly failEvery: number) {}
  Get(key: number): number {
    if (this.failEvery > 0 && key % this.failEvery === 0) throw new Error(`no key ${key}\x1b[31m`);
    return key;
  }
}

async function etcdBuild(etcd: EtcdInstance, prefix: string, failEvery: number): Promise<void> {
  for (let i = 0; i < 2; i++) {
    const server = new Server({ log: () => {} }).register(new Kv(failEvery), { name: 'Kv' });
    const address = await server.listen('http@127.0.0.1:0');
    stops.push(() => server.destroy());
    const registration: EtcdRegistration = await registerWithEtcd(etcd.endpoint, address, {
      prefix,
      ttlSeconds: 5,
    });
    stops.push(() => registration.stop());
  }
}

test('both builds found in etcd under their own prefixes; a build whose handler fails shows its errors by code', {
  timeout: 120_000,
}, async () => {
  const etcd = await startEtcd();
  stops.push(() => etcd.stop());
  await etcdBuild(etcd, '/duet-a/', 0);
  await etcdBuild(etcd, '/duet-b/', 7);
  const scenario = join(dir, 'etcd.ts');
  await writeFile(
    scenario,
    `export default {
  name: 'duet-etcd',
  target: { etcd: { endpoints: ['${etcd.endpoint}'], prefix: '/duet-b/' } },
  codec: 'json',
  call: { method: 'Kv.Get', args: (i) => i, check: (reply, key) => reply === key || 'wrong value' },
  select: 'random',
  load: { model: 'closed', concurrency: 4 },
};
`,
  );
  const outcome = await runDuet({
    file: scenario,
    baseline: parseDuetTarget(`etcd://${etcd.endpoint.slice('http://'.length)}/duet-a/`),
    ...LIMITS,
    ...SHORT,
  });
  assert.equal(outcome.verdict, 'fail');
  const rows = (outcome as DuetDecision).rows;
  const row = (text: string) => {
    const found = rows.find((candidate) => candidate.metric.includes(text));
    assert.ok(found, `no row ${text} in ${rows.map((r) => r.metric).join(' / ')}`);
    return found;
  };
  assert.equal(row('random › A › calls answered').failed, false);
  const b = row('random › B › calls answered');
  assert.equal(b.failed, true);
  assert.match(b.now, /^\d+ of \d+ failed: ERR_REMOTE \d+ \(first: no key \d+\\x1b\[31m\)$/);
  // The failed calls reached the handler: the servers' counts lie within answered..sent.
  assert.equal(row('random › A › servers counted').failed, false);
  assert.equal(row('random › B › servers counted').failed, false);
  assert.match(
    (outcome as DuetDecision).notes[0]!,
    /A \(baseline\) etcd http:\/\/127\.0\.0\.1:\d+ under \/duet-a\/; B \(candidate\) etcd .* under \/duet-b\//,
  );
});

test('servers without a debug page are compared on client-side counts alone, and pass', {
  timeout: 120_000,
}, async () => {
  const addresses: string[] = [];
  for (let i = 0; i < 2; i++) {
    const server = new Server({ log: () => {} }).register(new Kv(0), { name: 'Kv' });
    addresses.push(await server.listen('tcp@127.0.0.1:0'));
    stops.push(() => server.destroy());
  }
  const scenario = join(dir, 'tcp.ts');
  await writeFile(
    scenario,
    `export default {
  name: 'duet-tcp',
  target: { addresses: ['${addresses[1]}'] },
  codec: 'json',
  call: { method: 'Kv.Get', args: (i) => i },
  load: { model: 'closed', concurrency: 2 },
};
`,
  );
  const outcome = (await runDuet({
    file: scenario,
    baseline: parseDuetTarget(addresses[0]!),
    ...LIMITS,
    ...SHORT,
  })) as DuetDecision;
  assert.equal(outcome.verdict, 'pass', JSON.stringify(outcome.rows));
  assert.ok(!outcome.rows.some((row) => /servers counted|null/.test(row.metric + row.now)));
  assert.equal(outcome.notes.filter((note) => note.includes('no GeeRPC debug page read')).length, 2);
});
