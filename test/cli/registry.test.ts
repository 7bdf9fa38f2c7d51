import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { test } from 'node:test';
import { startHeartbeat } from '../../src/registry/heartbeat.ts';
import { RegistryServer } from '../../src/registry/registry-server.ts';
import { RegistryDiscovery } from '../../src/xclient/discovery/registry-discovery.ts';
import { waitFor } from '../fixtures/servers.ts';

test('npm run registry prints its URL, serves heartbeats and stops cleanly on SIGTERM', {
  timeout: 30_000,
}, async () => {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/cli/registry.ts', '--listen', '127.0.0.1:0'],
    {
      cwd: new URL('../..', import.meta.url),
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const exited = once(child, 'exit');
  try {
    const [chunk] = (await once(child.stdout!, 'data')) as [Buffer];
    const url = chunk.toString().trim();
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/_geerpc_\/registry$/);
    const heartbeat = startHeartbeat(url, 'tcp@127.0.0.1:9321');
    await heartbeat.registered;
    await heartbeat.stop();
    const discovery = new RegistryDiscovery(url);
    assert.deepEqual(await discovery.getAll(), ['tcp@127.0.0.1:9321']);
    await discovery.close();
  } finally {
    child.kill('SIGTERM');
  }
  const [code] = await exited;
  assert.equal(code, 0);
});

test('npm run serve -- --registry renews its address in the registry', { timeout: 30_000 }, async () => {
  const registry = new RegistryServer();
  const url = await registry.listen();
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/cli/serve.ts', '--listen', 'tcp@127.0.0.1:0', '--registry', url],
    { cwd: new URL('../..', import.meta.url), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const exited = once(child, 'exit');
  try {
    const [chunk] = (await once(child.stdout!, 'data')) as [Buffer];
    const address = /listening on (\S+)/.exec(chunk.toString())![1]!;
    await waitFor(() => registry.servers().includes(address), 'the server to register');
  } finally {
    child.kill('SIGTERM');
    const [code] = await exited;
    assert.equal(code, 0);
    await registry.close();
  }
});
