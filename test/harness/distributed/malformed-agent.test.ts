import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Etcd3 } from 'etcd3';
import { AgentFleet } from '../../../src/harness/distributed/agent-fleet.ts';
import { AgentError } from '../../../src/harness/distributed/errors.ts';
import { FleetKeys } from '../../../src/harness/distributed/fleet-keys.ts';
import { LoadAgent } from '../../../src/harness/distributed/load-agent.ts';
import { runOnAgents } from '../../../src/harness/distributed/run-on-agents.ts';
import { gitCommit } from '../../../src/result/environment.ts';
import { applyOverrides } from '../../../src/scenario/overrides.ts';
import { loadScenario } from '../../../src/scenario/scenario-loader.ts';
import { type EtcdInstance, startEtcd } from '../../fixtures/etcd.ts';

/**
 * A host that registers as a real one would, then writes `writes()` (key under the first phase,
 * value) in order when that phase's plan appears.
 */
async function hostileAgent(client: Etcd3, keys: FleetKeys, name: string, writes: () => [string, string][]) {
  await client
    .put(keys.host(name))
    .value(JSON.stringify({ name, host: 'h', cores: 1, node: 'v20', commit: await gitCommit(), threads: 1 }));
  const watcher = await client.watch().prefix(keys.runs()).create();
  watcher.on('put', (kv) => {
    const key = kv.key.toString();
    if (!key.endsWith('/plan')) return;
    const phase = key.slice(0, -'plan'.length);
    const put = async () => {
      for (const [rest, value] of writes()) await client.put(`${phase}${rest}`).value(value);
    };
    put().then(
      () => undefined,
      () => undefined,
    );
  });
  return watcher;
}

/** A `done` value that passes its schema: the host claims one piece of shares. */
const DONE_ONE_PIECE = JSON.stringify({
  chunks: 1,
  goHeardAtEpochMs: null,
  figures: {
    calls: 0,
    errors: 0,
    callsPerSecond: 0,
    clientCounts: {},
    latency: {
      summary: {
        count: 0,
        minUs: 0,
        meanUs: 0,
        stdevUs: 0,
        p50Us: 0,
        p90Us: 0,
        p99Us: 0,
        p999Us: 0,
        maxUs: 0,
      },
      encoded: '',
    },
    durationMs: 0,
    stopped: false,
  },
});

describe('values a load host writes are checked', () => {
  let etcd: EtcdInstance;
  let client: Etcd3;
  before(async () => {
    etcd = await startEtcd();
    client = new Etcd3({ hosts: etcd.endpoint });
  });
  after(async () => {
    client?.close();
    await etcd?.stop();
  });

  const warmed = (): [string, string] => ['warmed/bad', JSON.stringify({ atEpochMs: Date.now() })];
  for (const [kind, writes] of [
    ['warmed', () => [['warmed/bad', '{not json']]],
    ['progress', () => [['progress/bad', '{"calls":-1,"errors":0,"p99Us":0}']]],
    ['done', () => [['done/bad', '{"chunks":1e12,"goHeardAtEpochMs":null,"figures":{}}']]],
    [
      'shares',
      () => [warmed(), ['shares/bad/0', '[{"thread":0,"calls":"many"}]'], ['done/bad', DONE_ONE_PIECE]],
    ],
  ] as [string, () => [string, string][]][]) {
    it(`a malformed ${kind} value ends the run naming host and key, with a partial result and no keys left`, async () => {
      const keys = new FleetKeys(`/rpcbench-test/malformed-${kind}/`);
      const good = await LoadAgent.start({
        etcd: [etcd.endpoint],
        name: 'good',
        prefix: keys.prefix,
        threads: 1,
      });
      const watcher = await hostileAgent(client, keys, 'bad', writes);
      try {
        const loaded = applyOverrides(await loadScenario('scenarios/roundrobin.ts'), {
          durationMs: 3_000,
          warmupMs: 200,
        });
        const started = Date.now();
        const error = await runOnAgents(loaded, {
          etcd: [etcd.endpoint],
          want: ['bad', 'good'],
          waitMs: 10_000,
          prefix: keys.prefix,
        }).then(
          () => assert.fail('the run should fail'),
          (e: unknown) => e,
        );
        assert.ok(error instanceof AgentError, String(error));
        assert.deepEqual(error.agents, ['bad']);
        assert.match(
          error.message,
          new RegExp(`load host bad wrote a malformed value at \\S+/${kind}/bad: `),
        );
        assert.equal(error.partialResult?.partial, true);
        assert.ok(Date.now() - started < 3_000 + 10_000, 'ends within its duration and a grace');
        const left = await client.getAll().prefix(keys.runs()).keys();
        assert.deepEqual(left, [], 'the run keys are removed');
        const claims = await client.getAll().prefix(`${keys.prefix}claims/`).keys();
        assert.deepEqual(claims, [], 'the hosts are released');
      } finally {
        await watcher.cancel();
        await good.close();
      }
    });
  }

  it('a host that warms up and then falls silent fails the run after its duration, drain and a minute', async () => {
    const keys = new FleetKeys('/rpcbench-test/silent/');
    const watcher = await hostileAgent(client, keys, 'quiet', () => [
      ['warmed/quiet', JSON.stringify({ atEpochMs: Date.now() })],
    ]);
    try {
      const loaded = applyOverrides(await loadScenario('scenarios/roundrobin.ts'), {
        durationMs: 1_000,
        warmupMs: 100,
      });
      const started = Date.now();
      const error = await runOnAgents(
        { ...loaded, scenario: { ...loaded.scenario, callTimeoutMs: 500 } },
        { etcd: [etcd.endpoint], want: ['quiet'], waitMs: 10_000, prefix: keys.prefix },
      ).then(
        () => assert.fail('the run should fail'),
        (e: unknown) => e,
      );
      // 1 s measured, 0.5 s + 1 s of drain, then the minute any thread gets to report.
      assert.match(String(error), /gave up waiting for the load threads to finish the phase after 62500 ms/);
      assert.ok(Date.now() - started < 62_500 + 15_000, 'ends at its bound');
      assert.deepEqual(await client.getAll().prefix(keys.runs()).keys(), [], 'the run keys are removed');
    } finally {
      await watcher.cancel();
    }
  });

  it('a malformed host registration is refused before the run, naming it', async () => {
    const keys = new FleetKeys('/rpcbench-test/malformed-host/');
    await client.put(keys.host('odd')).value('{"name":"odd","cores":"many"}');
    await assert.rejects(
      AgentFleet.gather({
        etcd: [etcd.endpoint],
        want: 1,
        waitMs: 2_000,
        prefix: keys.prefix,
        commit: await gitCommit(),
        defaultThreads: 1,
      }),
      (error: unknown) =>
        error instanceof AgentError &&
        error.agents[0] === 'odd' &&
        /load host odd wrote a malformed value at \/rpcbench-test\/malformed-host\/hosts\/odd: /.test(
          error.message,
        ),
    );
  });
});
