import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import {
  measureInterleaved,
  mergePhaseSamples,
  toPhaseSamples,
} from '../../../src/gate/measure/interleave.ts';
import { fingerprintOf } from '../../../src/gate/measure/measure-phase.ts';
import { type ProbeSpec, probeSpecsFor, RpcProbe } from '../../../src/gate/measure/probe.ts';
import { ReferenceEcho } from '../../../src/gate/measure/reference.ts';
import { measureWindow } from '../../../src/gate/measure/window.ts';
import { loadScenario, validateScenario } from '../../../src/scenario/scenario-loader.ts';

const ROOT = new URL('../../..', import.meta.url).pathname;

function spec(mode: ProbeSpec['setup']['mode']): ProbeSpec {
  return {
    label: mode,
    setup: {
      mode,
      weights: [1, 1, 1],
      transport: 'tcp',
      codec: 'application/msgpack',
      failMode: 'failfast',
      retries: 0,
      reuseClients: true,
      callTimeoutMs: 0,
      httpPath: '/_geeprc_',
      clientLimits: {},
      servers: { kind: 'addresses' },
      call: { method: 'Bench.Echo', args: { Payload: 'x'.repeat(16) } },
    },
    payloadBytes: 16,
    servers: 3,
    concurrency: 4,
    seed: 1,
  };
}

test('probes follow the scenario: one per phase with cached connections, none for dial phases', () => {
  const scenario = validateScenario(
    {
      name: 'x',
      select: ['roundrobin', 'broadcast'],
      reuseClients: 'compare',
      codec: 'json',
      payloadBytes: 10,
    },
    'x.ts',
  );
  const specs = probeSpecsFor(scenario, 'x.ts');
  assert.deepEqual(
    specs.map((entry) => entry.label),
    ['roundrobin/cached', 'broadcast/cached'],
  );
  assert.equal(specs[0]!.setup.codec, 'application/json');
  assert.equal(specs[0]!.concurrency, 64);
  assert.equal(specs[0]!.payloadBytes, 10);
  assert.deepEqual(specs[0]!.setup.call.args, { Payload: 'x'.repeat(10) });
});

for (const mode of ['roundrobin', 'broadcast', 'consistent-hash'] as const) {
  test(`the ${mode} probe answers every call`, async () => {
    const probe = await RpcProbe.start(spec(mode));
    try {
      const window = await measureWindow(probe, { concurrency: 4, durationMs: 1_000, maxCalls: 200 });
      assert.equal(window.errors, 0, window.firstError);
      assert.equal(window.calls, 200);
    } finally {
      await probe.close();
    }
  });
}

test('the reference echoes every call, and windows pair up into per-pair ratios', async () => {
  const probe = await RpcProbe.start(spec('roundrobin'));
  const reference = await ReferenceEcho.start(16);
  try {
    const pairs = await measureInterleaved(probe, reference, {
      pairs: 3,
      warmupPairs: 1,
      windowMs: 1_000,
      concurrency: 4,
      maxCallsPerWindow: 100,
    });
    assert.equal(pairs.length, 3);
    for (const pair of pairs) {
      assert.equal(pair.rpc.calls, 100);
      assert.equal(pair.reference.calls, 100);
    }
    const samples = toPhaseSamples('roundrobin', pairs);
    assert.equal(samples.cost.length, 3);
    assert.ok(samples.cost.every((value) => Number.isFinite(value) && value > 0));
    const pooled = mergePhaseSamples(samples, samples);
    assert.equal(pooled.throughput.length, 6);
  } finally {
    await reference.close();
    await probe.close();
  }
});

test('the fault switch refuses a value that is not a fraction', async () => {
  const exit = await new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '-e', "await import('./src/rpc/fault-injection.ts')"],
      {
        cwd: ROOT,
        env: { ...process.env, RPCBENCH_FAULT_SLOWDOWN: 'twenty' },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
  assert.notEqual(exit.code, 0);
  assert.match(exit.stderr, /RPCBENCH_FAULT_SLOWDOWN must be a number from 0 to 10, got "twenty"/);
});

const KV_SCENARIO = 'test/fixtures/gate-service/kv-scenario.ts';

test("the probe of a scenario with its own service calls the scenario's method with its args and check", async () => {
  const { kvCalls } = await import('../../fixtures/gate-service/kv-service.ts');
  const loaded = await loadScenario(KV_SCENARIO);
  const [kvSpec] = probeSpecsFor(loaded.scenario, loaded.file);
  assert.ok(kvSpec?.service, 'the service is part of the probe');
  assert.equal(kvSpec.setup.call.method, 'Kv.Get');
  const probe = await RpcProbe.start(kvSpec);
  try {
    const before = kvCalls.count;
    const replies = await Promise.all([probe.call(), probe.call(), probe.call()]);
    assert.equal(kvCalls.count - before, 3, 'each probe call ran the handler once');
    assert.deepEqual(
      replies.map((reply) => String(reply).split(':')[0]),
      ['key-0', 'key-1', 'key-2'],
      'the args function is called with the call index',
    );
  } finally {
    await probe.close();
  }
});

test("a reply the scenario's check refuses fails the probe call", async () => {
  const loaded = await loadScenario(KV_SCENARIO);
  const [kvSpec] = probeSpecsFor(loaded.scenario, loaded.file);
  // The echo answers with its arguments, which the check refuses.
  const probe = await RpcProbe.start({
    ...kvSpec!,
    setup: { ...kvSpec!.setup, call: { ...kvSpec!.setup.call, method: 'Bench.Echo' } },
  });
  try {
    await assert.rejects(probe.call(), { code: 'ERR_CHECK', message: /^check failed: reply key-0/ });
  } finally {
    await probe.close();
  }
});

test("the fingerprint covers the call's set-up, not the service's code or the checkout's folder", async () => {
  const loaded = await loadScenario(KV_SCENARIO);
  const specs = probeSpecsFor(loaded.scenario, loaded.file);
  const moved = specs.map((entry) => ({
    ...entry,
    service: { module: '/elsewhere/kv-service.ts' },
    setup: { ...entry.setup, call: { ...entry.setup.call, module: '/elsewhere/kv-scenario.ts' } },
  }));
  assert.equal(fingerprintOf(moved), fingerprintOf(specs));
  const otherMethod = specs.map((entry) => ({
    ...entry,
    setup: { ...entry.setup, call: { ...entry.setup.call, method: 'Kv.Put' } },
  }));
  assert.notEqual(fingerprintOf(otherMethod), fingerprintOf(specs));
});
