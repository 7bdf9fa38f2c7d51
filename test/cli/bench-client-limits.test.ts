// bench's limits on what the servers it calls may make its clients hold: each flag set on the
// command line reaches the clients of the run (the probe's and the load's) and changes the outcome.
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import type { PhaseResult, RunResult } from '../../src/result/result-schema.ts';
import { startServer } from '../fixtures/rpc-server.ts';
import { type CliExit, runCli } from '../fixtures/run-cli.ts';
import { startUnsolicitedProxy } from '../fixtures/unsolicited-proxy.ts';

/** Replies to no call the proxy sends ahead of each connection's first reply. */
const UNSOLICITED = 3;

async function tempDir(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'rpcbench-client-limits-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A one-second bench run with these flags; the phase of the result it wrote. */
async function bench(out: string, flags: readonly string[]): Promise<{ run: CliExit; phase: PhaseResult }> {
  const run = await runCli(
    'bench.ts',
    [...flags, '--duration', '1s', '--warmup', '0', '--concurrency', '4', '--quiet', '--out', out],
    { timeoutMs: 60_000 },
  );
  assert.equal(run.code, 0, run.stderr);
  const file = (await readdir(out)).find((name) => name.endsWith('.json'));
  assert.ok(file, `a result file is written: ${run.stderr}`);
  const result = JSON.parse(await readFile(join(out, file), 'utf8')) as RunResult;
  await rm(join(out, file));
  return { run, phase: result.phases[0]! };
}

function serverShare(phase: PhaseResult, address: string) {
  const share = phase.servers.find((server) => server.address === address);
  assert.ok(share, `${address} in ${JSON.stringify(phase.servers)}`);
  return share;
}

test('--max-unsolicited-replies: a server sending more replies to no call than it allows has its connections closed with ERR_BAD_FRAME', {
  timeout: 120_000,
}, async (t) => {
  const { address: good } = await startServer(t);
  const { address: upstream } = await startServer(t);
  const chatty = await startUnsolicitedProxy(t, upstream, UNSOLICITED);
  const out = await tempDir(t);
  const target = ['--target', `${good},${chatty}`, '--method', 'Foo.Sum', '--args', '{"Num1":1,"Num2":2}'];

  const within = await bench(out, [...target, '--max-unsolicited-replies', String(UNSOLICITED)]);
  assert.deepEqual(within.phase.errorsByCode, {}, 'as many as allowed: every call is answered');

  const over = await bench(out, [...target, '--max-unsolicited-replies', String(UNSOLICITED - 1)]);
  const chattyShare = serverShare(over.phase, chatty);
  assert.ok(
    chattyShare.clientCount > 0 && chattyShare.errors === chattyShare.clientCount,
    JSON.stringify(chattyShare),
  );
  assert.equal(serverShare(over.phase, good).errors, 0);
  assert.ok((over.phase.errorsByCode.ERR_BAD_FRAME ?? 0) > 0, JSON.stringify(over.phase.errorsByCode));
  assert.match(
    over.run.stdout,
    /ERR_BAD_FRAME e\.g\. rpc client: the server sent more than 2 replies to no call .*maxUnsolicitedReplies/,
  );
});

test('--gob-max-type-fields: a reply whose type declares more fields than allowed fails with ERR_BAD_FRAME; the default takes it', {
  timeout: 120_000,
}, async (t) => {
  const { address } = await startServer(t);
  const out = await tempDir(t);
  // Bench.Echo answers its arguments: a reply type of 2 fields, then one of 3, after the header's 3.
  const argsFile = join(out, 'args.jsonl');
  await writeFile(argsFile, '{"A":1,"B":2}\n{"A":1,"B":2,"C":3}\n');
  const target = ['--target', address, '--codec', 'gob', '--method', 'Bench.Echo', '--args-file', argsFile];

  const unbounded = await bench(out, target);
  assert.deepEqual(unbounded.phase.errorsByCode, {});

  const bounded = await bench(out, [...target, '--gob-max-type-fields', '5']);
  const share = serverShare(bounded.phase, address);
  assert.ok(share.errors > 0 && share.errors < share.clientCount, JSON.stringify(share));
  assert.ok((bounded.phase.errorsByCode.ERR_BAD_FRAME ?? 0) > 0, JSON.stringify(bounded.phase.errorsByCode));
  assert.match(
    bounded.run.stdout,
    /ERR_BAD_FRAME e\.g\. rpc client: reading reply: gob: over budget: .*\(maxTypeFields\)/,
  );
});

test('a scenario file sets the same limits; the command line replaces them', {
  timeout: 120_000,
}, async (t) => {
  const { address } = await startServer(t);
  const out = await tempDir(t);
  const scenario = join(out, 'limits.ts');
  await writeFile(
    scenario,
    `export default {
  name: 'limits',
  target: { addresses: [${JSON.stringify(address)}] },
  codec: 'gob',
  call: { method: 'Bench.Echo', args: { A: 1, B: 2 } },
  gobBudget: { maxTypes: 1 },
  maxUnsolicitedReplies: 0,
};
`,
  );
  // The reply needs a second type after the header's: the scenario's budget refuses it at the probe.
  const refused = await runCli('bench.ts', [scenario, '--duration', '1s', '--quiet', '--out', out]);
  assert.equal(refused.code, 1, refused.stderr);
  assert.match(refused.stderr, /gob: over budget: more than 1 type definitions on one stream \(maxTypes\)/);
  const replaced = await bench(out, [scenario, '--gob-max-types', '2']);
  assert.deepEqual(replaced.phase.errorsByCode, {});
});

test('bench refuses a client limit out of range, naming the flag, with the usage exit code', async () => {
  for (const [flag, value, rule] of [
    ['--max-unsolicited-replies', '-1', /must be a non-negative integer/],
    ['--gob-max-types', '0', /must be a positive integer/],
    ['--gob-elements-per-byte', '1.5', /must be a positive integer/],
  ] as const) {
    const run = await runCli('bench.ts', ['--target', 'tcp@127.0.0.1:1', '--method', 'Foo.Sum', flag, value]);
    assert.equal(run.code, 2, `${flag} ${value}: ${run.stderr}`);
    assert.ok(run.stderr.includes(flag), run.stderr);
    assert.match(run.stderr, rule);
  }
});

test('a scenario file with a limit out of range is refused naming the field', async (t) => {
  const out = await tempDir(t);
  for (const [field, value, rule] of [
    ['gobBudget', '{ maxTypes: 0 }', /gobBudget\.maxTypes: must be a positive integer/],
    ['gobBudget', '{ maxTypez: 1 }', /gobBudget/],
    ['maxUnsolicitedReplies', '-1', /maxUnsolicitedReplies: must be a non-negative integer/],
  ] as const) {
    const scenario = join(out, `bad-${field}.ts`);
    await writeFile(
      scenario,
      `export default { name: 'bad', target: { addresses: ['tcp@127.0.0.1:1'] }, call: { method: 'Foo.Sum' }, ${field}: ${value} };\n`,
    );
    const run = await runCli('bench.ts', [scenario, '--quiet', '--out', out]);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /invalid scenario: /);
    assert.match(run.stderr, rule);
  }
});
