// rpcbench's harness load-testing Go GeeRPC servers: gob and JSON, their debug pages, their registry.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { buildGoPeer } from '../../../src/benchmarks/go-peer/build.ts';
import { startGoRegistry, startGoServer } from '../../../src/benchmarks/go-peer/go-peer.ts';
import { runScenario } from '../../../src/harness/runner.ts';
import { type ScenarioOverrides, scenarioFromOverrides } from '../../../src/scenario/overrides.ts';

before(() => buildGoPeer(), { timeout: 300_000 });

const SUM: ScenarioOverrides = { method: 'Foo.Sum', args: { Num1: 1, Num2: 2 }, calls: 400, warmupMs: 0 };

test('Go servers over http@ with gob: every call answered, and their debug pages count what the clients sent', async (t) => {
  const goServers = await Promise.all([1, 2].map(() => startGoServer({ listen: ['http@127.0.0.1:0'] })));
  t.after(() => Promise.all(goServers.map((server) => server.stop())));
  const addresses = goServers.map((server) => server.addresses[0]!);
  const result = await runScenario(scenarioFromOverrides({ ...SUM, codec: 'gob', target: { addresses } }));
  const [phase] = result.phases;
  assert.equal(phase!.calls, 400);
  assert.equal(phase!.errors, 0, JSON.stringify(phase!.errorSamples));
  assert.equal(phase!.countsFrom, 'servers');
  for (const server of phase!.servers) {
    assert.equal(server.clientCount, 200, server.address);
    assert.equal(server.serverCount, 200, `${server.address}: the Go server's own count`);
  }
});

test('a Go server over tcp with JSON: every call answered, client-side counts only', async (t) => {
  const goServer = await startGoServer({ listen: ['tcp@127.0.0.1:0'], codecs: ['json'] });
  t.after(() => goServer.stop());
  const result = await runScenario(
    scenarioFromOverrides({ ...SUM, codec: 'json', target: { addresses: goServer.addresses } }),
  );
  const [phase] = result.phases;
  assert.equal(phase!.errors, 0, JSON.stringify(phase!.errorSamples));
  assert.equal(phase!.calls, 400);
  assert.equal(phase!.countsFrom, 'clients');
  assert.equal(phase!.servers[0]!.serverCount, null);
});

test("Go servers found through Go's registry are all load-tested", async (t) => {
  const registry = await startGoRegistry();
  t.after(() => registry.stop());
  const goServers = await Promise.all(
    [1, 2].map(() =>
      startGoServer({ listen: ['tcp@127.0.0.1:0'], registry: registry.url, heartbeatMs: 60_000 }),
    ),
  );
  t.after(() => Promise.all(goServers.map((server) => server.stop())));
  const result = await runScenario(
    scenarioFromOverrides({ ...SUM, codec: 'gob', target: { registry: registry.url } }),
  );
  const [phase] = result.phases;
  assert.equal(phase!.errors, 0, JSON.stringify(phase!.errorSamples));
  assert.deepEqual(
    phase!.servers.map((server) => server.address).sort(),
    goServers.map((server) => server.addresses[0]!).sort(),
  );
  for (const server of phase!.servers) assert.equal(server.clientCount, 200, server.address);
});

test('a Go server refuses JSON by closing the connection: the run stops, saying the codec may be the cause', async (t) => {
  const goServer = await startGoServer({ listen: ['tcp@127.0.0.1:0'] });
  t.after(() => goServer.stop());
  await assert.rejects(
    runScenario(scenarioFromOverrides({ ...SUM, codec: 'json', target: { addresses: goServer.addresses } })),
    (error: Error & { code?: string }) => {
      assert.equal(error.code, 'ERR_TARGET');
      assert.match(error.message, new RegExp(`target ${goServer.addresses[0]}: .*Go GeeRPC speaks only gob`));
      return true;
    },
  );
});
