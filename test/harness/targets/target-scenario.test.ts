// Scenarios against external servers (in this process, through a registry and through etcd), and
// simulated servers running a user's service.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { type RunProgress, runScenario } from '../../../src/harness/runner.ts';
import { registerWithEtcd } from '../../../src/registry/etcd-registration.ts';
import { startHeartbeat } from '../../../src/registry/heartbeat.ts';
import { RegistryServer } from '../../../src/registry/registry-server.ts';
import type { RunResult } from '../../../src/result/result-schema.ts';
import { Foo } from '../../../src/rpc/server/builtin-services.ts';
import { Server } from '../../../src/rpc/server/server.ts';
import { applyOverrides, scenarioFromOverrides } from '../../../src/scenario/overrides.ts';
import { loadScenario } from '../../../src/scenario/scenario-loader.ts';
import { startEtcd } from '../../fixtures/etcd.ts';
import { sleep } from '../../fixtures/servers.ts';

const FIXTURES = 'test/fixtures/scenarios';
const servers: Server[] = [];
after(() => Promise.all(servers.map((server) => server.destroy())));

/** An rpcbench server with Foo on http@, whose debug page gives its own counts. */
async function httpServer(): Promise<string> {
  const server = new Server({ log: () => {} }).register(new Foo());
  servers.push(server);
  return server.listen('http@127.0.0.1:0');
}

/** Resolves once the run reports its measured stage: servers changing after that fall inside the phase. */
function measuringStarted(): { started: Promise<void>; report: (progress: RunProgress) => void } {
  let resolve: () => void = () => {};
  const started = new Promise<void>((done) => {
    resolve = done;
  });
  return { started, report: (progress) => progress.stage === 'measure' && resolve() };
}

/** No error; the join and the leave recorded; the newcomer called; every server's own count equal to the clients'. */
function assertFollowed(result: RunResult, joining: string, leaving: string): void {
  const [phase] = result.phases;
  assert.equal(phase!.errors, 0, JSON.stringify(phase!.errorSamples));
  const changes = phase!.membership!.map((change) => `${change.change} ${change.address}`);
  assert.ok(changes.includes(`joined ${joining}`), changes.join('; '));
  assert.ok(changes.includes(`left ${leaving}`), changes.join('; '));
  const byAddress = new Map(phase!.servers.map((server) => [server.address, server]));
  assert.ok(byAddress.get(joining)!.clientCount > 0, 'the server that joined was called');
  for (const server of phase!.servers) assert.equal(server.serverCount, server.clientCount, server.address);
}

test('generated arguments and a check that refuses every fifth reply: exactly a fifth are ERR_CHECK', async () => {
  const addresses = [await httpServer(), await httpServer()];
  const loaded = applyOverrides(await loadScenario(`${FIXTURES}/target-check.ts`), { target: { addresses } });
  const result = await runScenario(loaded);
  const [phase] = result.phases;
  assert.equal(phase!.calls, 500);
  assert.deepEqual(phase!.errorsByCode, { ERR_CHECK: 100 });
  assert.match(phase!.errorSamples!.ERR_CHECK!, /^check failed: refused call \d+$/);
  // Each server's own count, read from its debug page, equals what the clients sent it.
  assert.equal(phase!.countsFrom, 'servers');
  for (const server of phase!.servers) assert.equal(server.serverCount, server.clientCount, server.address);
  assert.equal(
    phase!.servers.reduce((sum, server) => sum + server.clientCount, 0),
    500,
  );
});

test('through a registry, a server that joins is called and one that leaves is recorded', async (t) => {
  const registry = new RegistryServer({ expiryMs: 1_000 });
  t.after(() => registry.close());
  const url = await registry.listen('127.0.0.1:0');
  const [first, leaving] = [await httpServer(), await httpServer()];
  const beats = [first, leaving].map((address) => startHeartbeat(url, address, { intervalMs: 200 }));
  t.after(() => Promise.all(beats.map((beat) => beat.stop())));
  await Promise.all(beats.map((beat) => beat.registered));
  const loaded = applyOverrides(await loadScenario(`${FIXTURES}/target-follow.ts`), {
    target: { registry: url },
  });
  const measuring = measuringStarted();
  const running = runScenario(loaded, { onProgress: measuring.report });
  await measuring.started;
  await sleep(500);
  const joining = await httpServer();
  const joined = startHeartbeat(url, joining, { intervalMs: 200 });
  t.after(() => joined.stop());
  await beats[1]!.stop();
  const result = await running;
  assertFollowed(result, joining, leaving);
});

test('through etcd, a server that joins is called and one that leaves is recorded', async (t) => {
  const etcd = await startEtcd();
  const cleanups: (() => Promise<void>)[] = [];
  t.after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
    await etcd.stop();
  });
  const prefix = '/rpcbench-target-test/';
  const [first, leaving] = [await httpServer(), await httpServer()];
  const registrations = await Promise.all(
    [first, leaving].map((address) => registerWithEtcd(etcd.endpoint, address, { prefix })),
  );
  cleanups.push(() => Promise.all(registrations.map((registration) => registration.stop())).then(() => {}));
  const loaded = applyOverrides(await loadScenario(`${FIXTURES}/target-follow.ts`), {
    target: { etcd: { endpoints: [etcd.endpoint], prefix } },
  });
  const measuring = measuringStarted();
  const running = runScenario(loaded, { onProgress: measuring.report });
  await measuring.started;
  await sleep(500);
  const joining = await httpServer();
  const joined = await registerWithEtcd(etcd.endpoint, joining, { prefix });
  cleanups.push(() => joined.stop());
  await sleep(500);
  await registrations[1]!.stop();
  const result = await running;
  assertFollowed(result, joining, leaving);
});

test("a user's service runs in every simulated server under round robin, its replies checked", async () => {
  const result = await runScenario(await loadScenario(`${FIXTURES}/user-service.ts`));
  const [phase] = result.phases;
  assert.equal(phase!.calls, 300);
  assert.equal(phase!.errors, 0, JSON.stringify(phase!.errorSamples));
  assert.deepEqual(
    phase!.servers.map((server) => server.serverCount),
    [100, 100, 100],
  );
});

test("a user's service on a server that crashes: its calls fail, the others' are answered right", async () => {
  const result = await runScenario(await loadScenario(`${FIXTURES}/user-service-crash.ts`));
  const [phase] = result.phases;
  const crashed = phase!.servers[1]!;
  assert.ok(phase!.errors > 0, 'the crash made calls fail');
  assert.equal(phase!.errorsByCode.ERR_CHECK, undefined, 'no reply was wrong');
  assert.ok(crashed.serverCount! < phase!.servers[0]!.serverCount!, 'the crashed server handled fewer calls');
  for (const server of [phase!.servers[0]!, phase!.servers[2]!]) assert.ok(server.serverCount! > 0);
});

test('an argsFile is used in turn; a line that is not JSON stops the run before any load, naming the line', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'rpcbench-args-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const good = join(dir, 'args.jsonl');
  await writeFile(good, '{"Num1":1,"Num2":1}\n\n{"Num1":2,"Num2":2}\n{"Num1":3,"Num2":3}\n');
  const address = await httpServer();
  const run = (argsFile: string) =>
    runScenario(
      scenarioFromOverrides({
        target: { addresses: [address] },
        method: 'Foo.Sum',
        argsFile,
        calls: 30,
        warmupMs: 0,
        codec: 'json',
      }),
    );
  const result = await run(good);
  assert.equal(result.phases[0]!.errors, 0);
  assert.equal(result.phases[0]!.calls, 30);
  const bad = join(dir, 'bad.jsonl');
  await writeFile(bad, '{"Num1":1,"Num2":1}\n{Num1: 2}\n');
  await assert.rejects(run(bad), (error: Error & { code?: string }) => {
    assert.equal(error.code, 'ERR_ARGS');
    assert.match(error.message, new RegExp(`${bad}:2: not JSON`));
    return true;
  });
});
