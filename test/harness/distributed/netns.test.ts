import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { mergeEncoded, toHistogramRecord } from '../../../src/result/histogram.ts';
import type { RunResult } from '../../../src/result/result-schema.ts';
import { ETCD_BINARY, requireEtcd } from '../../fixtures/etcd.ts';
import { createNetnsHosts, type NetnsHosts } from '../../fixtures/netns.ts';

// Three hosts on one machine: etcd, the coordinator and its simulated servers on the first, a load host on each other.
const ETCD_PORT = 2379;
const START_TIMEOUT_MS = 20_000;

interface Started {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function inNamespace(namespace: string, command: string, args: readonly string[]): Started {
  // `ip netns exec` execs the command itself: the child's pid is the command's.
  const child = spawn('ip', ['netns', 'exec', namespace, command, ...args], {
    cwd: process.cwd(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function waitForOutput(started: Started, pattern: RegExp, what: string): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!pattern.test(started.output())) {
    if (started.child.exitCode !== null || Date.now() > deadline) {
      throw new Error(`${what} did not start:\n${started.output()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const node = (script: string, args: readonly string[]) => ['--import', 'tsx', script, ...args];

describe('load hosts in network namespaces', () => {
  let hosts: NetnsHosts | undefined;
  const children: Started[] = [];
  let outDir = '';
  let etcdUrl = '';
  let agents: Started[] = [];

  before(async () => {
    requireEtcd();
    hosts = createNetnsHosts(4);
    const [hub, ...loadHosts] = hosts.names as [string, ...string[]];
    const address = hosts.addresses[0]!;
    outDir = await mkdtemp(join(tmpdir(), 'rpcbench-netns-'));
    etcdUrl = `http://${address}:${ETCD_PORT}`;
    const etcd = inNamespace(hub, ETCD_BINARY, [
      '--data-dir',
      join(outDir, 'etcd'),
      '--listen-client-urls',
      etcdUrl,
      '--advertise-client-urls',
      etcdUrl,
      '--listen-peer-urls',
      `http://${address}:2380`,
      '--initial-advertise-peer-urls',
      `http://${address}:2380`,
      '--initial-cluster',
      `default=http://${address}:2380`,
    ]);
    children.push(etcd);
    await waitForOutput(etcd, /ready to serve client requests/, 'etcd');
    agents = loadHosts.map((namespace, index) =>
      inNamespace(
        namespace,
        process.execPath,
        node('src/cli/agent.ts', ['--etcd', etcdUrl, '--name', `a${index + 1}`, '--threads', '1']),
      ),
    );
    children.push(...agents);
    await Promise.all(
      agents.map((agent, index) => waitForOutput(agent, /registered as/, `load host a${index + 1}`)),
    );
  });

  after(async () => {
    for (const started of children) if (started.child.exitCode === null) started.child.kill('SIGKILL');
    await Promise.all(children.map((started) => started.exited));
    hosts?.remove();
    if (outDir !== '') await rm(outDir, { recursive: true, force: true });
  });

  const bench = async (out: string, names: string, args: readonly string[]) => {
    const run = inNamespace(
      hosts!.names[0]!,
      process.execPath,
      node('src/cli/bench.ts', [
        'scenarios/roundrobin.ts',
        '--agents-etcd',
        etcdUrl,
        '--agents',
        names,
        '--listen-host',
        hosts!.addresses[0]!,
        '--warmup',
        '300ms',
        '--quiet',
        '--out',
        join(outDir, out),
        ...args,
      ]),
    );
    children.push(run);
    return run;
  };

  const readResult = async (out: string): Promise<RunResult> => {
    const [file] = (await readdir(join(outDir, out))).filter((name) => name.endsWith('.json'));
    return JSON.parse(await readFile(join(outDir, out, file!), 'utf8')) as RunResult;
  };

  it('merges the hosts exactly, and the clients count what the servers counted', async () => {
    const run = await bench('full', 'a1,a2,a3', ['--calls', '9000', '--duration', '20s']);
    assert.equal(await run.exited, 0, run.output());
    const result = await readResult('full');
    const [phase] = result.phases;
    assert.ok(phase?.agents !== undefined, run.output());
    assert.equal(phase.calls, 9_000);
    assert.deepEqual(
      phase.agents.map((agent) => agent.name),
      ['a1', 'a2', 'a3'],
    );
    const merged = toHistogramRecord(mergeEncoded(phase.agents.map((agent) => agent.latency.encoded)));
    assert.deepEqual(merged.summary, phase.latency.summary);
    for (const server of phase.servers) {
      assert.ok(server.address.startsWith(`tcp@${hosts!.addresses[0]}:`), server.address);
      assert.equal(server.clientCount, server.serverCount);
    }
    for (const agent of phase.agents) {
      assert.ok(agent.calls > 0);
      const counts = Object.values(agent.clientCounts);
      assert.ok(Math.max(...counts) - Math.min(...counts) <= 1, `${agent.name}: ${counts}`);
    }
    assert.match(run.output(), /a1 \(.*calls\/s, ok [\d,]+, errors \d+, p99/);
  });

  it('ends with exit 1 naming a host killed mid-phase, and writes the partial result', async () => {
    const run = await bench('killed', 'a1,a2', ['--duration', '30s']);
    await waitForOutput(run, /phase 1\/1/, 'the run');
    // Past the warm-up and into the measured window.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    agents[1]!.child.kill('SIGKILL');
    assert.equal(await run.exited, 1, run.output());
    assert.match(run.output(), /load host a2 was lost mid-run/);
    const result = await readResult('killed');
    assert.equal(result.partial, true);
    assert.deepEqual(result.agents?.lost, ['a2']);
    const [phase] = result.phases;
    assert.ok(phase !== undefined && phase.calls > 0, run.output());
    assert.deepEqual(
      phase.agents?.map((agent) => agent.name),
      ['a1'],
    );
  });

  it('ends with exit 1 naming a host cut off from the network mid-phase', async () => {
    const run = await bench('cut', 'a1,a3', ['--duration', '30s']);
    await waitForOutput(run, /phase 1\/1/, 'the run');
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    hosts!.cutOff(3);
    assert.equal(await run.exited, 1, run.output());
    assert.match(run.output(), /load host a3 was lost mid-run/);
    const result = await readResult('cut');
    assert.equal(result.partial, true);
    assert.deepEqual(result.agents?.lost, ['a3']);
    assert.deepEqual(
      result.phases[0]?.agents?.map((agent) => agent.name),
      ['a1'],
    );
  });
});

describe('where network namespaces cannot be made', () => {
  it('the fixture fails and says why, so that the test above cannot pass there', () => {
    // Without the capabilities namespaces need (still root, so the checkout stays readable wherever
    // it is): the fixture must throw its message, never return hosts.
    const probe = spawnSync(
      'setpriv',
      [
        '--bounding-set',
        '-sys_admin,-net_admin',
        process.execPath,
        '--import',
        'tsx',
        '-e',
        "import('./test/fixtures/netns.ts').then((m) => { try { m.createNetnsHosts(2); console.log('made'); } catch (e) { console.log(e.message); } })",
      ],
      { encoding: 'utf8', timeout: 30_000 },
    );
    assert.match(probe.stdout, /cannot create network namespaces \(this test needs root/, probe.stderr);
    assert.doesNotMatch(probe.stdout, /made/);
  });
});
