import assert from 'node:assert/strict';
import { createServer, type ServerResponse } from 'node:http';
import { test } from 'node:test';
import { startHeartbeat } from '../../../src/registry/heartbeat.ts';
import { RegistryServer } from '../../../src/registry/registry-server.ts';
import { RegistryDiscovery } from '../../../src/xclient/discovery/registry-discovery.ts';
import { XClient } from '../../../src/xclient/xclient.ts';
import { startServers, waitFor } from '../../fixtures/servers.ts';

/** A registry stand-in whose answers the test releases one by one. */
async function heldRegistry(servers: string) {
  const held: ServerResponse[] = [];
  const http = createServer((req, res) => {
    req.resume();
    res.setHeader('X-Geerpc-Servers', servers);
    res.setHeader('Connection', 'close');
    held.push(res);
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/_geerpc_/registry`,
    held,
    answerAll() {
      for (const res of held.splice(0)) res.end();
    },
    async close() {
      this.answerAll();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

test('servers found through the registry share the calls; a server that stops renewing drops out', async () => {
  const set = await startServers(3);
  const registry = new RegistryServer({ expiryMs: 300, purgeIntervalMs: 50 });
  const url = await registry.listen();
  const heartbeats = set.addresses.map((address) => startHeartbeat(url, address, { intervalMs: 50 }));
  const discovery = new RegistryDiscovery(url, { updateIntervalMs: 50, requestTimeoutMs: 2000 });
  const xclient = new XClient(discovery, 'roundrobin');
  try {
    await Promise.all(heartbeats.map((h) => h.registered));
    await Promise.all(Array.from({ length: 30 }, (_, i) => xclient.call('Bench.Echo', i)));
    assert.deepEqual(set.counts(), [10, 10, 10]);

    await heartbeats[0]!.stop();
    await waitFor(async () => {
      await xclient.call('Bench.Echo', 'tick');
      return !(await discovery.getAll()).includes(set.addresses[0]!);
    }, 'the expired server to leave the list');
    const before = set.counts()[0];
    await Promise.all(Array.from({ length: 20 }, (_, i) => xclient.call('Bench.Echo', i)));
    assert.equal(set.counts()[0], before);
    assert.equal(xclient.stats().openClients, 2, 'the client of the departed server is closed');
  } finally {
    await xclient.close();
    await discovery.close();
    await Promise.all(heartbeats.map((h) => h.stop()));
    await registry.close();
    await set.close();
  }
});

test('a slow registry never holds a selection once a list is known', async () => {
  const registry = await heldRegistry('tcp@127.0.0.1:9001,tcp@127.0.0.1:9002');
  const discovery = new RegistryDiscovery(registry.url, { updateIntervalMs: 0, requestTimeoutMs: 60_000 });
  try {
    const first = discovery.get('roundrobin');
    await waitFor(() => registry.held.length === 1, 'the first request');
    registry.answerAll();
    assert.match(await first, /^tcp@127\.0\.0\.1:900[12]$/);
    // The list is stale at once (updateIntervalMs 0): the next selection starts a reload that the
    // registry does not answer, and is served from the last list meanwhile.
    assert.match(await discovery.get('roundrobin'), /^tcp@127\.0\.0\.1:900[12]$/);
    await waitFor(() => registry.held.length === 1, 'the background reload to reach the registry');
    for (let i = 0; i < 10; i++) assert.ok(await discovery.get('random'));
    assert.equal(registry.held.length, 1, 'one reload at a time');
  } finally {
    await discovery.close();
    await registry.close();
  }
});

test('the first selection waits at most requestTimeoutMs, then fails with a typed error', async () => {
  const registry = await heldRegistry('tcp@127.0.0.1:9001');
  const discovery = new RegistryDiscovery(registry.url, { requestTimeoutMs: 100 });
  try {
    await assert.rejects(discovery.get('random'), { code: 'ERR_REGISTRY_UNAVAILABLE', message: /100 ms/ });
  } finally {
    await discovery.close();
    await registry.close();
  }
  const nowhere = new RegistryDiscovery(registry.url);
  await assert.rejects(nowhere.get('random'), { code: 'ERR_REGISTRY_UNAVAILABLE', message: /ECONNREFUSED/ });
  await nowhere.close();
});

test('when the registry goes away the last list stays in use', async () => {
  const registry = new RegistryServer();
  const url = await registry.listen();
  registry.register('tcp@127.0.0.1:9001');
  const errors: Error[] = [];
  const discovery = new RegistryDiscovery(url, { updateIntervalMs: 0, onError: (e) => errors.push(e) });
  try {
    assert.equal(await discovery.get('random'), 'tcp@127.0.0.1:9001');
    await registry.close();
    await waitFor(async () => {
      await discovery.get('random');
      return errors.length > 0;
    }, 'a background reload to fail');
    assert.equal(await discovery.get('random'), 'tcp@127.0.0.1:9001');
    assert.deepEqual(await discovery.getAll(), ['tcp@127.0.0.1:9001']);
  } finally {
    await discovery.close();
  }
});
