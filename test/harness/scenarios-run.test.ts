import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { test } from 'node:test';
import { runScenario } from '../../src/harness/runner.ts';
import { type PhaseResult, type RunResult, runResultSchema } from '../../src/result/result-schema.ts';
import { applyOverrides } from '../../src/scenario/overrides.ts';
import { type LoadedScenario, loadScenario, validateScenario } from '../../src/scenario/scenario-loader.ts';
import type { ScenarioInput } from '../../src/scenario/scenario-schema.ts';

const CALLS = 300;
const SHIPPED = ['roundrobin', 'random', 'broadcast', 'reuse', 'skewed', 'failover', 'open-loop', 'gob'];

async function runShort(loaded: LoadedScenario): Promise<RunResult> {
  const result = await runScenario(applyOverrides(loaded, { calls: CALLS, warmupMs: 100 }));
  runResultSchema.parse(result);
  assert.equal(result.partial, false);
  return result;
}

async function runInline(input: ScenarioInput): Promise<RunResult> {
  const result = await runScenario({ file: 'inline.ts', scenario: validateScenario(input, 'inline.ts') });
  runResultSchema.parse(result);
  return result;
}

/** What every phase of a selecting mode must show: all calls counted, on both sides, and shares as the mode says. */
function checkFairness(phase: PhaseResult, calls: number): void {
  const serverCounts = phase.servers.map((server) => server.serverCount!);
  const total = serverCounts.reduce((sum, count) => sum + count, 0);
  for (const server of phase.servers) {
    assert.equal(
      server.clientCount,
      server.serverCount!,
      `${phase.label} ${server.address}: client and server counts`,
    );
  }
  if (phase.mode === 'broadcast') {
    for (const count of serverCounts)
      assert.equal(count, calls, `${phase.label}: every server gets every call`);
    return;
  }
  assert.equal(total, calls, `${phase.label}: every call reached a server once`);
  if (phase.mode === 'roundrobin') {
    const n = serverCounts.length;
    for (const count of serverCounts) {
      assert.ok(
        count >= Math.floor(total / n) && count <= Math.ceil(total / n),
        `${phase.label}: ${serverCounts}`,
      );
    }
  }
  if (phase.mode === 'weighted-roundrobin') {
    for (const server of phase.servers) {
      assert.ok(
        Math.abs(server.serverCount! - server.expectedShare * total) <= 1.5,
        `${phase.label}: ${serverCounts}`,
      );
    }
  }
}

test('the shipped scenarios are the ones expected', async () => {
  const files = (await readdir('scenarios')).filter((name) => name.endsWith('.ts'));
  for (const name of SHIPPED) assert.ok(files.includes(`${name}.ts`), `scenarios/${name}.ts`);
});

for (const name of SHIPPED) {
  test(`scenarios/${name}.ts runs briefly and reports a valid, fair result`, async () => {
    const loaded = await loadScenario(`scenarios/${name}.ts`);
    const result = await runShort(loaded);
    assert.equal(result.scenario.name, name);
    assert.equal(result.phases.length > 0, true);
    for (const phase of result.phases) {
      assert.equal(phase.calls, CALLS, `${phase.label}: calls`);
      assert.equal(phase.errors, 0, `${phase.label}: errors ${JSON.stringify(phase.errorsByCode)}`);
      assert.equal(phase.latency.summary.count, CALLS);
      assert.equal(
        phase.timeline.reduce((sum, point) => sum + point.calls, 0),
        CALLS,
      );
      checkFairness(phase, CALLS);
    }
    assert.equal(
      result.thresholds.length > 0 && result.thresholds.every((outcome) => outcome.phase !== null),
      true,
    );
    if (loaded.scenario.micro) {
      assert.deepEqual(
        result.micro.map((bench) => bench.name),
        ['call on a cached client', 'dial + call + close'],
      );
      assert.equal(result.micro[0]!.ratio, 1);
      assert.ok(result.micro[1]!.ratio! > 0 && result.micro[1]!.samples > 0);
    }
    if (loaded.scenario.httpBaseline) {
      assert.ok(result.httpBaseline !== null);
      assert.equal(result.httpBaseline.requests, CALLS);
      assert.equal(result.httpBaseline.resolutionMs, 1);
      assert.equal(result.httpBaseline.errors + result.httpBaseline.non2xx, 0);
    }
  });
}

test('unix and http transports and the JSON codec carry the load', async () => {
  for (const [transport, codec] of [
    ['unix', 'msgpack'],
    ['http', 'json'],
  ] as const) {
    const result = await runInline({
      name: `transport-${transport}`,
      servers: { count: 2, threads: 1 },
      transport,
      codec,
      load: { model: 'closed', concurrency: 8 },
      calls: 200,
      warmupMs: 0,
    });
    const [phase] = result.phases;
    assert.equal(phase?.calls, 200, transport);
    assert.equal(phase?.errors, 0, `${transport}: ${JSON.stringify(phase?.errorsByCode)}`);
    assert.ok(phase?.servers.every((server) => server.address.startsWith(`${transport}@`)));
    checkFairness(phase!, 200);
  }
});

test('two load threads split the load and their records merge', async () => {
  for (const load of [
    { model: 'closed', concurrency: 8 },
    { model: 'open', ratePerSecond: 2_000 },
  ] as const) {
    const result = await runInline({
      name: `threads-${load.model}`,
      servers: { count: 3, threads: 1 },
      loadThreads: 2,
      clients: 2,
      load,
      calls: 300,
      warmupMs: 50,
    });
    const [phase] = result.phases;
    assert.equal(phase?.calls, 300, load.model);
    assert.equal(phase?.errors, 0);
    assert.equal(phase?.latency.summary.count, 300);
    checkFairness(phase!, 300);
  }
});

test('injected errors are counted by code on both sides', async () => {
  const result = await runInline({
    name: 'errors',
    servers: { count: 2, threads: 1, behaviour: { errorRate: 1 } },
    load: { model: 'closed', concurrency: 4 },
    calls: 100,
    warmupMs: 0,
    thresholds: ['errors < 1%'],
  });
  const [phase] = result.phases;
  assert.equal(phase?.errors, 100);
  assert.deepEqual(phase?.errorsByCode, { ERR_REMOTE: 100 });
  checkFairness(phase!, 100);
  assert.deepEqual(
    result.thresholds.map(({ actual, passed }) => ({ actual, passed })),
    [{ actual: 100, passed: false }],
  );
});

test('a crashed server: failfast reports its errors, failover retries them elsewhere', async () => {
  const base = {
    servers: { count: 3, threads: 1, overrides: { '1': { crash: { atMs: 0 } } } },
    load: { model: 'closed', concurrency: 4 },
    calls: 150,
    warmupMs: 0,
  } satisfies Partial<ScenarioInput>;
  const failfast = (await runInline({ ...base, name: 'crash-failfast', failMode: 'failfast' })).phases[0]!;
  const failover = (await runInline({ ...base, name: 'crash-failover', failMode: 'failover' })).phases[0]!;
  assert.ok(failfast.errors > 0, 'failfast: calls to the crashed server fail');
  assert.ok(
    Object.keys(failfast.errorsByCode).every(
      (code) => code === 'ERR_DIAL_FAILED' || code === 'ERR_CONN_CLOSED',
    ),
  );
  assert.equal(failover.errors, 0, `failover: ${JSON.stringify(failover.errorsByCode)}`);
  // Only calls that beat the crash at the very start can have reached server 1.
  assert.ok(failover.servers[1]!.clientCount < 150 / 3, `server 1 got ${failover.servers[1]!.clientCount}`);
});

test('open model: latency runs from the intended start, so a stall is charged in full', async () => {
  const result = await runInline({
    name: 'stall',
    servers: { count: 2, threads: 1, overrides: { '0': { stall: { atMs: 0, durationMs: 400 } } } },
    load: { model: 'open', ratePerSecond: 1_000 },
    calls: 200,
    warmupMs: 0,
  });
  const [phase] = result.phases;
  assert.equal(phase?.calls, 200);
  assert.equal(phase?.errors, 0);
  // The stalled server held the calls sent in its first 400 ms: the first waited about 400 ms.
  assert.ok(
    phase!.servers[0]!.latency.summary.maxUs >= 300_000,
    `max ${phase!.servers[0]!.latency.summary.maxUs}`,
  );
  checkFairness(phase!, 200);
});
