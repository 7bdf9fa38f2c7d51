import assert from 'node:assert/strict';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { test } from 'node:test';
import { profiledRun } from '../../../src/harness/profile/profile-run.ts';
import { PROFILE_DIR_VARIABLE } from '../../../src/harness/profile/thread-profile.ts';
import { LOAD_METHOD } from '../../../src/harness/servers/load-service.ts';
import { ServerPool } from '../../../src/harness/servers/server-pool.ts';
import { dial } from '../../../src/rpc/dial.ts';

/** A server thread answering calls from this thread: both threads are busy and both are profiled. */
async function callsThroughAServerThread(calls: number): Promise<number> {
  const servers = await ServerPool.start({
    threads: 1,
    http: false,
    servers: [
      {
        index: 0,
        listenAddress: 'tcp@127.0.0.1:0',
        seed: 1,
        behaviour: { serviceTime: { distribution: 'fixed', us: 0 }, errorRate: 0, slowFactor: 1, weight: 1 },
      },
    ],
  });
  try {
    const client = await dial(servers.addresses[0]!);
    try {
      for (let i = 0; i < calls; i++) await client.call(LOAD_METHOD, { payload: 'x'.repeat(64) });
    } finally {
      await client.close();
    }
  } finally {
    await servers.close();
  }
  return calls;
}

test('a profiled run writes a parseable .cpuprofile per thread and lists the heaviest functions per kind', async () => {
  const outDir = join(tmpdir(), `rpcbench-profiles-${process.pid}`);
  try {
    const run = await profiledRun(outDir, 'calls', () => callsThroughAServerThread(3_000));
    assert.equal(run.value, 3_000);
    assert.equal(process.env[PROFILE_DIR_VARIABLE], undefined, 'the switch is off again after the run');
    assert.deepEqual(
      run.profiles.map((profile) => profile.kind),
      ['main', 'server'],
    );
    for (const profile of run.profiles) {
      assert.equal(profile.files.length, 1);
      assert.match(basename(profile.files[0]!), new RegExp(`^${profile.kind}-\\d+-\\d+-\\d+\\.cpuprofile$`));
      const parsed = JSON.parse(await readFile(profile.files[0]!, 'utf8'));
      assert.ok(parsed.nodes.length > 0 && parsed.samples.length > 0, `${profile.kind}: samples recorded`);
      assert.equal(parsed.samples.length, parsed.timeDeltas.length);
      assert.ok(profile.busyMs > 0);
      assert.ok(profile.top.length > 0 && profile.top.length <= 15);
      const shares = profile.top.map((fn) => fn.selfPercent);
      assert.deepEqual(
        shares,
        [...shares].sort((a, b) => b - a),
        'heaviest first',
      );
      assert.ok(shares.reduce((a, b) => a + b, 0) <= 100.0001);
      assert.ok(!profile.top.some((fn) => fn.functionName === '(idle)'), 'idle time is not work');
    }
    // The server thread decodes and answers calls: the codec shows in its profile.
    const server = run.profiles.find((profile) => profile.kind === 'server')!;
    assert.ok(
      server.top.some((fn) => /msgpack|dispatch|write|read/i.test(`${fn.functionName} ${fn.location}`)),
      server.top.map((fn) => `${fn.functionName} ${fn.location}`).join('; '),
    );
  } finally {
    await rm(outDir, { recursive: true, force: true });
  }
});
