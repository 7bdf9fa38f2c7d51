import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { after, before, test } from 'node:test';
import { Etcd3 } from 'etcd3';
import { main as call } from '../../src/cli/call.ts';
import { type EtcdInstance, startEtcd } from '../fixtures/etcd.ts';

let etcd: EtcdInstance;
before(async () => {
  etcd = await startEtcd();
});
after(async () => {
  await etcd?.stop();
});

test('npm run serve -- --etcd registers under a lease; call --etcd finds it; SIGTERM revokes it', {
  timeout: 30_000,
}, async () => {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'src/cli/serve.ts',
      '--listen',
      'tcp@127.0.0.1:0',
      '--etcd',
      etcd.endpoint,
      '--etcd-prefix',
      '/cli/',
    ],
    { cwd: new URL('../..', import.meta.url), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const exited = once(child, 'exit');
  const client = new Etcd3({ hosts: etcd.endpoint });
  try {
    const [chunk] = (await once(child.stdout!, 'data')) as [Buffer];
    const address = /listening on (\S+)/.exec(chunk.toString())![1]!;
    const lines: string[] = [];
    const errors: string[] = [];
    let code = 1;
    // The address is printed before the lease is granted: poll until the call finds it.
    for (let i = 0; i < 200 && code !== 0; i++) {
      lines.length = 0;
      code = await call(
        ['--etcd', etcd.endpoint, '--etcd-prefix', '/cli/', '--detailed', 'Foo.Sum', '{"Num1":4,"Num2":5}'],
        (line) => lines.push(line),
        (line) => errors.push(line),
      );
      if (code !== 0) await new Promise((resolve) => setTimeout(resolve, 25));
    }
    assert.equal(code, 0, errors.join('\n'));
    const { latencyMs, ...detailed } = JSON.parse(lines[0]!);
    assert.deepEqual(detailed, { reply: 9, address, attempts: 1 });
    assert.ok(typeof latencyMs === 'number' && latencyMs >= 0, `latencyMs ${latencyMs}`);
  } finally {
    child.kill('SIGTERM');
  }
  const [code] = await exited;
  assert.equal(code, 0);
  assert.deepEqual(await client.getAll().prefix('/cli/').keys(), [], 'the lease was revoked on the way out');
  client.close();
});
