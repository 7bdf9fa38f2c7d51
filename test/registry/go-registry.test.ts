// GeeRPC's registry, heartbeat and registry discovery (Go) against rpcbench's.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { buildGoPeer } from '../../src/benchmarks/go-peer/build.ts';
import { runGoClient, startGoRegistry, startGoServer } from '../../src/benchmarks/go-peer/go-peer.ts';
import { startHeartbeat } from '../../src/registry/heartbeat.ts';
import { RegistryServer } from '../../src/registry/registry-server.ts';
import { RegistryDiscovery } from '../../src/xclient/discovery/registry-discovery.ts';
import { XClient } from '../../src/xclient/xclient.ts';
import { startServers, waitFor } from '../fixtures/servers.ts';

before(() => buildGoPeer(), { timeout: 300_000 });

async function registered(url: string): Promise<string[]> {
  const response = await fetch(url);
  await response.arrayBuffer();
  const header = response.headers.get('X-Geerpc-Servers') ?? '';
  return header === '' ? [] : header.split(',');
}

test("a Go XClient discovers rpcbench servers through rpcbench's registry and calls each in turn", async (t) => {
  const registry = new RegistryServer();
  t.after(() => registry.close());
  const url = await registry.listen('127.0.0.1:0');
  // The jam attempt: two 9 KiB addresses are refused, so they reach neither client.
  for (const port of [1, 2]) {
    const jam = await fetch(url, {
      method: 'POST',
      headers: { 'X-Geerpc-Server': `tcp@127.0.0.1${'0'.repeat(9 * 1024)}:${port}` },
    });
    assert.equal(jam.status, 400);
    await jam.arrayBuffer();
  }
  const set = await startServers(2);
  t.after(() => set.close());
  const heartbeats = set.addresses.map((address) => startHeartbeat(url, address, { intervalMs: 60_000 }));
  t.after(() => Promise.all(heartbeats.map((heartbeat) => heartbeat.stop())));
  await Promise.all(heartbeats.map((heartbeat) => heartbeat.registered));

  const summary = await runGoClient({
    registry: url,
    codec: 'json',
    settleMs: 5,
    n: 10,
    concurrency: 1,
    vary: true,
    check: true,
  });
  assert.deepEqual(summary.errors, {}, summary.mismatch);
  assert.deepEqual(
    summary.perServer,
    Object.fromEntries(set.addresses.map((address) => [address, 5])),
    'round robin over both',
  );
  assert.deepEqual(set.counts('Foo.Sum'), [5, 5]);

  const broadcast = await runGoClient({ registry: url, codec: 'json', settleMs: 5, broadcast: true });
  assert.equal(broadcast.ok, 1);
  assert.deepEqual(set.counts('Foo.Sum'), [6, 6]);
});

test("rpcbench's heartbeat registers with the Go registry; RegistryDiscovery and the Go client read it", async (t) => {
  const registry = await startGoRegistry();
  t.after(() => registry.stop());
  assert.match(registry.url, /^http:\/\/127\.0\.0\.1:\d+\/_geerpc_\/registry$/);
  const set = await startServers(3);
  t.after(() => set.close());
  const heartbeats = set.addresses.map((address) =>
    startHeartbeat(registry.url, address, { intervalMs: 60_000 }),
  );
  t.after(() => Promise.all(heartbeats.map((heartbeat) => heartbeat.stop())));
  await Promise.all(heartbeats.map((heartbeat) => heartbeat.registered));
  assert.deepEqual(await registered(registry.url), [...set.addresses].sort());

  const discovery = new RegistryDiscovery(registry.url);
  t.after(() => discovery.close());
  const xclient = new XClient(discovery, 'roundrobin', { codec: 'application/json' });
  t.after(() => xclient.close());
  for (let i = 0; i < 6; i++) assert.equal(await xclient.call('Foo.Sum', { Num1: i, Num2: 1 }), i + 1);
  assert.deepEqual([...(await discovery.getAll())].sort(), [...set.addresses].sort());
  assert.deepEqual(set.counts('Foo.Sum'), [2, 2, 2]);

  const summary = await runGoClient({ registry: registry.url, codec: 'json', settleMs: 5, broadcast: true });
  assert.deepEqual(summary.errors, {});
  assert.deepEqual(set.counts('Foo.Sum'), [3, 3, 3]);
});

test('the Go registry forgets a server whose heartbeat stopped, once the expiry passes', async (t) => {
  const registry = await startGoRegistry({ expiryMs: 400 });
  t.after(() => registry.stop());
  const kept = startHeartbeat(registry.url, 'tcp@127.0.0.1:7001', { intervalMs: 100 });
  const dropped = startHeartbeat(registry.url, 'tcp@127.0.0.1:7002', { intervalMs: 100 });
  t.after(() => Promise.all([kept.stop(), dropped.stop()]));
  await Promise.all([kept.registered, dropped.registered]);
  assert.deepEqual(await registered(registry.url), ['tcp@127.0.0.1:7001', 'tcp@127.0.0.1:7002']);
  await dropped.stop();
  await waitFor(
    async () => (await registered(registry.url)).join() === 'tcp@127.0.0.1:7001',
    'the stopped server to expire',
    5000,
  );
});

test("a Go server's heartbeat registers its listeners with rpcbench's registry", async (t) => {
  const registry = new RegistryServer();
  t.after(() => registry.close());
  const url = await registry.listen('127.0.0.1:0');
  const go = await startGoServer({
    listen: ['tcp@127.0.0.1:0', 'http@127.0.0.1:0'],
    registry: url,
    heartbeatMs: 100,
  });
  t.after(() => go.stop());
  await waitFor(() => registry.servers().length === 2, 'both Go listeners to register');
  assert.deepEqual(registry.servers(), [...go.addresses].sort());
  await go.waitForLog(/send heart beat to registry/);
});

test('the Go registry answers as GeeRPC: 500 for a POST without a server, 405 for other methods, 404 elsewhere', async (t) => {
  const registry = await startGoRegistry();
  t.after(() => registry.stop());
  const post = await fetch(registry.url, { method: 'POST' });
  assert.equal(post.status, 500);
  await post.arrayBuffer();
  const put = await fetch(registry.url, { method: 'PUT', headers: { 'X-Geerpc-Server': 'tcp@127.0.0.1:1' } });
  assert.equal(put.status, 405);
  await put.arrayBuffer();
  assert.deepEqual(await registered(registry.url), []);
  const elsewhere = await fetch(new URL('/elsewhere', registry.url));
  assert.equal(elsewhere.status, 404);
  assert.equal(await elsewhere.text(), '404 page not found\n');
});
