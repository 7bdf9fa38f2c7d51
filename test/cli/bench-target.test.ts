// The one-line CLI against servers started with `npm run serve`, as a user points it at their own.
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { readResult } from '../../src/result/result-file.ts';
import { runCli } from '../fixtures/run-cli.ts';
import { runServe } from '../fixtures/serve-process.ts';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rpcbench-target-cli-'));
});
after(() => rm(dir, { recursive: true, force: true }));

const SUM_ARGS = ['--method', 'Foo.Sum', '--args', '{"Num1":1,"Num2":2}'];

async function onlyResult(out: string) {
  const files = (await readdir(out)).filter((name) => name.endsWith('.json'));
  assert.equal(files.length, 1, `one result in ${out}: ${files}`);
  return readResult(join(out, files[0]!));
}

test('--target runs the load against tcp, http@ and unix servers and reads the http@ server its own count', async (t) => {
  const socket = join(dir, 'serve.sock');
  const plain = runServe(t, ['--listen', 'tcp@127.0.0.1:0', '--listen', `unix@${socket}`], 2);
  const http = runServe(t, ['--listen', 'http@127.0.0.1:0'], 1);
  const [tcpAddress, unixAddress] = await plain.addresses;
  const [httpAddress] = await http.addresses;
  const out = join(dir, 'three');
  const { code, stderr, stdout } = await runCli('bench.ts', [
    '--target',
    `${tcpAddress},${httpAddress},${unixAddress}`,
    ...SUM_ARGS,
    '--codec',
    'json',
    '--concurrency',
    '6',
    '--calls',
    '300',
    '--warmup',
    '0',
    '--duration',
    '30s',
    '--quiet',
    '--out',
    out,
  ]);
  assert.equal(code, 0, stderr);
  const result = await onlyResult(out);
  const [phase] = result.phases;
  assert.equal(result.scenario.file, '(command line)');
  assert.equal(phase!.calls, 300);
  assert.equal(phase!.errors, 0, JSON.stringify(phase!.errorSamples));
  const byAddress = new Map(phase!.servers.map((server) => [server.address, server]));
  for (const address of [tcpAddress!, httpAddress!, unixAddress!]) {
    assert.equal(byAddress.get(address)?.clientCount, 100, `${address}: round robin over three`);
  }
  // Only the http@ server has a debug page on its port; the others' counts cannot be read.
  assert.equal(byAddress.get(httpAddress!)!.serverCount, 100);
  assert.equal(byAddress.get(tcpAddress!)!.serverCount, null);
  assert.equal(phase!.countsFrom, 'clients');
  assert.match(stdout, /server-side counts read for 1 of 3 servers/);
});

test('a target without the method stops the run before any load, naming the target and the method', async (t) => {
  const serve = runServe(t, ['--listen', 'tcp@127.0.0.1:0'], 1);
  const [address] = await serve.addresses;
  const out = join(dir, 'nomethod');
  const { code, stderr } = await runCli('bench.ts', [
    '--target',
    address!,
    '--method',
    'Foo.Nope',
    '--calls',
    '10',
    '--out',
    out,
  ]);
  assert.equal(code, 1);
  assert.match(stderr, new RegExp(`target ${address}: has no method Foo\\.Nope`));
  assert.doesNotMatch(stderr, /phase/);
});

test('a codec the server refuses and an unreachable target each stop the run with their reason', async (t) => {
  const serve = runServe(t, ['--listen', 'tcp@127.0.0.1:0', '--codec', 'json'], 1);
  const [address] = await serve.addresses;
  const refused = await runCli('bench.ts', [
    '--target',
    address!,
    ...SUM_ARGS,
    '--codec',
    'gob',
    '--calls',
    '10',
    '--out',
    join(dir, 'refused'),
  ]);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, new RegExp(`target ${address}: refuses codec application/gob`));
  await serve.child.kill('SIGTERM');
  await serve.exited;
  const unreachable = await runCli('bench.ts', [
    '--target',
    address!,
    ...SUM_ARGS,
    '--calls',
    '10',
    '--out',
    join(dir, 'unreachable'),
  ]);
  assert.equal(unreachable.code, 1);
  assert.match(unreachable.stderr, new RegExp(`target ${address}: unreachable`));
});

test('without a scenario file or a target, bench says what to give', async () => {
  const { code, stderr } = await runCli('bench.ts', ['--method', 'Foo.Sum']);
  assert.equal(code, 2);
  assert.match(stderr, /give a scenario file, or a target \(--target, --registry or --etcd\) and --method/);
  const badArgs = await runCli('bench.ts', [
    '--target',
    'tcp@127.0.0.1:1',
    '--method',
    'Foo.Sum',
    '--args',
    '{nope',
  ]);
  assert.equal(badArgs.code, 2);
  assert.match(badArgs.stderr, /--args.*must be JSON/);
  const badAddress = await runCli('bench.ts', ['--target', 'tcp@nowhere', '--method', 'Foo.Sum']);
  assert.equal(badAddress.code, 2);
  assert.match(badAddress.stderr, /missing port/);
});

test('an open-model run that drops calls shows offered and achieved rates, ok and dropped apart', async (t) => {
  const serve = runServe(t, ['--listen', 'tcp@127.0.0.1:0'], 1);
  const [address] = await serve.addresses;
  const out = join(dir, 'dropping');
  // Each call sleeps 20 ms and at most 2 are in flight: about 100 calls/s can complete of the 400 offered.
  const { code, stderr, stdout } = await runCli('bench.ts', [
    '--target',
    address!,
    '--method',
    'Foo.Sleep',
    '--args',
    '{"Num1":0.02,"Num2":1}',
    '--rate',
    '400',
    '--max-in-flight',
    '2',
    '--duration',
    '1s',
    '--warmup',
    '0',
    '--quiet',
    '--out',
    out,
  ]);
  assert.equal(code, 0, stderr);
  const [phase] = (await onlyResult(out)).phases;
  assert.ok(phase!.dropped! > 0, 'calls were dropped');
  assert.equal(phase!.dropped, phase!.errorsByCode.ERR_DROPPED);
  assert.equal(phase!.ok, phase!.calls - phase!.errors);
  assert.ok(phase!.offeredPerSecond! > 300, `offered ${phase!.offeredPerSecond}`);
  assert.ok(phase!.callsPerSecond < 150, `achieved ${phase!.callsPerSecond}`);
  assert.ok(
    Math.abs(phase!.callsPerSecond - (phase!.calls - phase!.dropped!) / (phase!.durationMs / 1000)) < 1e-6,
    'calls/s is the achieved rate: calls made, not dropped ones',
  );
  assert.match(stdout, /calls\/s\s+offered\/s\s+ok\s.*errors\s+dropped/);
  const row = stdout.split('\n').find((line) => line.startsWith('roundrobin  '))!;
  assert.ok(row.includes(String(phase!.dropped)), row);
  assert.doesNotMatch(row, /ERR_DROPPED/, 'dropped calls are a figure of their own, not an error');
});

test('a run in which every call fails exits 1, prints – for latency and keeps the failed replies latency apart', async (t) => {
  const serve = runServe(t, ['--listen', 'tcp@127.0.0.1:0'], 1);
  const [address] = await serve.addresses;
  const out = join(dir, 'all-failed');
  const { code, stderr, stdout } = await runCli('bench.ts', [
    'test/fixtures/scenarios/target-check-fails.ts',
    '--target',
    address!,
    '--calls',
    '200',
    '--quiet',
    '--out',
    out,
  ]);
  assert.equal(code, 1, stderr);
  assert.match(stderr, /run failed: no call succeeded in target-check-fails: roundrobin/);
  const [phase] = (await onlyResult(out)).phases;
  assert.equal(phase!.ok, 0);
  assert.equal(phase!.errorsByCode.ERR_CHECK, 200);
  assert.equal(phase!.latency.summary.count, 0, 'the latency of successes holds none');
  assert.equal(phase!.failedLatency!.summary.count, 200, 'every refused reply kept its latency');
  assert.ok(phase!.failedLatency!.summary.p50Us > 0);
  assert.doesNotMatch(stdout, /0\.0\s?µs/);
  assert.match(stdout, /roundrobin\s+[\d,]+\s+[\d,]+\s+0\s+–\s+–/);
  assert.match(stdout, /200 failed calls had a reply \(ERR_REMOTE, ERR_CHECK\): p50 /);
  assert.match(stdout, /NO CALL SUCCEEDED/);
});
