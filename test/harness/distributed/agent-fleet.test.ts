import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Etcd3 } from 'etcd3';
import { AgentFleet } from '../../../src/harness/distributed/agent-fleet.ts';
import { AgentError } from '../../../src/harness/distributed/errors.ts';
import { FleetKeys, getChunked, putChunked } from '../../../src/harness/distributed/fleet-keys.ts';
import { LoadAgent } from '../../../src/harness/distributed/load-agent.ts';
import { runOnAgents } from '../../../src/harness/distributed/run-on-agents.ts';
import type { PlannedShare } from '../../../src/harness/load/load-plan.ts';
import { assignShares, splitCallBudget } from '../../../src/harness/load/load-plan.ts';
import { renderHtmlReport } from '../../../src/report/html-report.ts';
import { formatSummary } from '../../../src/report/text-summary.ts';
import { gitCommit } from '../../../src/result/environment.ts';
import { mergeEncoded, toHistogramRecord } from '../../../src/result/histogram.ts';
import { runResultSchema } from '../../../src/result/result-schema.ts';
import { applyOverrides } from '../../../src/scenario/overrides.ts';
import { loadScenario } from '../../../src/scenario/scenario-loader.ts';
import { formatCount } from '../../../src/util/format.ts';
import { type EtcdInstance, startEtcd } from '../../fixtures/etcd.ts';

const slice = (thread: number) => ({ thread, maxCalls: 10 }) as unknown as PlannedShare;

describe('the plan split over load hosts', () => {
  it('gives each host as many consecutive slices as it has threads', () => {
    const planned = [0, 1, 2, 3].map(slice);
    const assigned = assignShares(
      [
        { name: 'a', threads: 2 },
        { name: 'b', threads: 1 },
        { name: 'c', threads: 1 },
      ],
      planned,
    );
    assert.deepEqual(
      [...assigned].map(([name, slices]) => [name, slices.map((s) => s.thread)]),
      [
        ['a', [0, 1]],
        ['b', [2]],
        ['c', [3]],
      ],
    );
  });

  it('refuses slices planned for another number of threads', () => {
    assert.throws(() => assignShares([{ name: 'a', threads: 2 }], [slice(0)]), RangeError);
  });

  it("keeps each host's call budget but the last a multiple of the server count", () => {
    const budgets = splitCallBudget(10_000, 4, 3);
    assert.equal(
      budgets.reduce((a, b) => a + b, 0),
      10_000,
    );
    for (const budget of budgets.slice(0, -1)) assert.equal(budget % 3, 0);
  });
});

describe('load hosts coordinated through a real etcd', () => {
  let etcd: EtcdInstance;
  const agents: LoadAgent[] = [];
  const prefix = '/rpcbench-test/agents/';

  before(async () => {
    etcd = await startEtcd();
  });
  after(async () => {
    await Promise.all(agents.map((agent) => agent.close()));
    await etcd?.stop();
  });

  const startAgent = async (name: string) => {
    const agent = await LoadAgent.start({ etcd: [etcd.endpoint], name, prefix, threads: 1 });
    agents.push(agent);
    return agent;
  };

  it('writes and reads values larger than one etcd request in pieces', async () => {
    const client = new Etcd3({ hosts: etcd.endpoint });
    try {
      const value = { text: 'x'.repeat(2_500_000) };
      const chunks = await putChunked(client, '/rpcbench-test/big', value);
      assert.equal(chunks, 3);
      assert.equal(await getChunked(client, '/rpcbench-test/big', chunks), JSON.stringify(value));
      assert.equal(await getChunked(client, '/rpcbench-test/big', chunks + 1), undefined, 'a piece missing');
    } finally {
      client.close();
    }
  });

  it('refuses a second host under a name already registered', async () => {
    await startAgent('dup');
    await assert.rejects(
      LoadAgent.start({ etcd: [etcd.endpoint], name: 'dup', prefix }),
      (error: unknown) => error instanceof AgentError && /already registered/.test(error.message),
    );
    await agents.pop()!.close();
  });

  it('names the hosts still missing when the wait is over', async () => {
    await assert.rejects(
      AgentFleet.gather({
        etcd: [etcd.endpoint],
        want: ['ghost'],
        waitMs: 300,
        prefix,
        commit: null,
        defaultThreads: 1,
      }),
      (error: unknown) =>
        error instanceof AgentError &&
        error.agents.includes('ghost') &&
        /0 of 1 load hosts/.test(error.message),
    );
  });

  it('says so in etcd when its shares cannot run, so that no coordinator waits for them', async () => {
    await startAgent('broken');
    const keys = new FleetKeys(prefix);
    const client = new Etcd3({ hosts: etcd.endpoint });
    try {
      const phase = keys.phase('t0', 0);
      const failed = new Promise<string>((resolve) => {
        void client
          .watch()
          .key(`${phase}failed/broken`)
          .create()
          .then((watcher) =>
            watcher.on('put', (kv) => {
              void watcher.cancel();
              resolve(kv.value.toString());
            }),
          );
      });
      await new Promise((resolve) => setTimeout(resolve, 200));
      const work = {
        plan: { label: 'roundrobin', mode: 'roundrobin', reuseClients: true },
        shares: { broken: [{}] },
      };
      await client.put(`${phase}plan`).value(JSON.stringify(work));
      assert.ok((await failed).length > 0);
    } finally {
      client.close();
      await agents.pop()!.close();
    }
  });

  it('refuses simulated servers on unix sockets, which no other host can reach', async () => {
    const loaded = applyOverrides(await loadScenario('scenarios/roundrobin.ts'), {});
    const unix = { ...loaded, scenario: { ...loaded.scenario, transport: 'unix' as const } };
    await assert.rejects(
      runOnAgents(unix, { etcd: [etcd.endpoint], want: 1, waitMs: 100, prefix }),
      (error: unknown) => error instanceof AgentError && /unix sockets/.test(error.message),
    );
  });

  it('refuses a host running another commit before the run', async () => {
    const client = new Etcd3({ hosts: etcd.endpoint });
    const keys = new FleetKeys('/rpcbench-test/other/');
    try {
      await client.put(keys.host('old')).value(
        JSON.stringify({
          name: 'old',
          host: 'h',
          cores: 1,
          node: 'v20',
          commit: 'f'.repeat(40),
          threads: 1,
          registeredAtEpochMs: 0,
        }),
      );
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
          error instanceof AgentError && error.agents[0] === 'old' && /same commit/.test(error.message),
      );
    } finally {
      client.close();
    }
  });

  it('starts every host at one instant and merges their shares exactly', async () => {
    await startAgent('h1');
    await startAgent('h2');
    const loaded = applyOverrides(await loadScenario('scenarios/roundrobin.ts'), {
      durationMs: 5_000,
      warmupMs: 200,
      calls: 6_000,
    });
    const result = await runOnAgents(loaded, {
      etcd: [etcd.endpoint],
      want: ['h1', 'h2'],
      waitMs: 10_000,
      prefix,
    });
    assert.equal(result.partial, false);
    assert.deepEqual(result.agents?.lost, []);
    const [phase] = result.phases;
    assert.ok(phase?.agents !== undefined);
    assert.equal(phase.calls, 6_000);
    assert.deepEqual(
      phase.agents.map((agent) => agent.name),
      ['h1', 'h2'],
    );
    // The merged histogram is the merge of the hosts' own, value for value.
    const merged = toHistogramRecord(mergeEncoded(phase.agents.map((agent) => agent.latency.encoded)));
    assert.deepEqual(merged.summary, phase.latency.summary);
    assert.equal(
      phase.agents.reduce((sum, agent) => sum + agent.calls, 0),
      phase.calls,
    );
    // Client counts equal the servers' own; each host's round robin within one call per server of even.
    for (const server of phase.servers) assert.equal(server.clientCount, server.serverCount);
    for (const agent of phase.agents) {
      const counts = Object.values(agent.clientCounts);
      assert.equal(counts.length, 3);
      assert.ok(Math.max(...counts) - Math.min(...counts) <= 1, `${agent.name}: ${counts}`);
      assert.equal(agent.startAtEpochMs, phase.agents[0]!.startAtEpochMs);
      assert.ok(agent.goHeardAtEpochMs > 0);
      // One clock here: the estimated offset is only etcd's delay.
      assert.ok(Math.abs(agent.clockOffsetMs) < 5_000, `${agent.name}: offset ${agent.clockOffsetMs} ms`);
    }
    // The result file reads back, and the report shows each host.
    runResultSchema.parse(JSON.parse(JSON.stringify(result)));
    const page = renderHtmlReport([result]);
    for (const agent of phase.agents) {
      assert.match(
        page,
        new RegExp(`data-agent="${agent.name}"[^]*?data-field="calls">${formatCount(agent.calls)}<`),
      );
    }
    assert.match(formatSummary(result), /load from h1, h2/);
  });

  it('ends the run when a host leaves mid-phase, with what the others measured', async () => {
    const leaving = await startAgent('h3');
    const loaded = applyOverrides(await loadScenario('scenarios/roundrobin.ts'), {
      durationMs: 20_000,
      warmupMs: 200,
    });
    // A host that leaves must not also report its cut-short shares as done.
    const observer = new Etcd3({ hosts: etcd.endpoint });
    const doneBy: string[] = [];
    const watcher = await observer.watch().prefix(new FleetKeys(prefix).runs()).create();
    watcher.on('put', (kv) => {
      const key = kv.key.toString();
      if (/\/done\/[^/]+$/.test(key)) doneBy.push(key.slice(key.lastIndexOf('/') + 1));
    });
    let closing: Promise<void> | undefined;
    const result = await runOnAgents(
      loaded,
      { etcd: [etcd.endpoint], want: ['h1', 'h3'], waitMs: 10_000, prefix },
      {
        onProgress: (progress) => {
          if (progress.stage === 'measure' && progress.calls > 0) closing ??= leaving.close();
        },
      },
    ).finally(async () => {
      await closing;
      await watcher.cancel();
      observer.close();
    });
    assert.ok(!doneBy.includes('h3'), `h3 reported done after leaving: ${doneBy.join(', ')}`);
    assert.equal(result.partial, true);
    assert.deepEqual(result.agents?.lost, ['h3']);
    const [phase] = result.phases;
    assert.ok(phase !== undefined && phase.calls > 0);
    assert.deepEqual(
      phase.agents?.map((agent) => agent.name),
      ['h1'],
    );
    assert.ok(phase.durationMs < 20_000);
  });
});
