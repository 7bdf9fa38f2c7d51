import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startHeartbeat } from '../../src/registry/heartbeat.ts';
import { RegistryServer } from '../../src/registry/registry-server.ts';
import { sleep, waitFor } from '../fixtures/servers.ts';

const ADDRESS = 'tcp@127.0.0.1:9555';

test('a heartbeat registers at once and renews on its interval', async () => {
  const registry = new RegistryServer({ expiryMs: 300 });
  const url = await registry.listen();
  const heartbeat = startHeartbeat(url, ADDRESS, { intervalMs: 50 });
  try {
    await heartbeat.registered;
    assert.deepEqual(registry.servers(), [ADDRESS]);
    await waitFor(() => heartbeat.beats >= 4, 'renewals');
    // Renewed more often than it expires: still listed long after the first registration.
    await sleep(400);
    assert.deepEqual(registry.servers(), [ADDRESS]);
  } finally {
    await heartbeat.stop();
    await registry.close();
  }
});

test('a heartbeat survives a registry restart and registers again', async () => {
  const first = new RegistryServer();
  const url = await first.listen();
  const errors: Error[] = [];
  const heartbeat = startHeartbeat(url, ADDRESS, {
    intervalMs: 50,
    retryMs: 20,
    requestTimeoutMs: 500,
    onError: (error) => errors.push(error),
  });
  let second: RegistryServer | undefined;
  try {
    await heartbeat.registered;
    await first.close();
    await waitFor(() => errors.length > 0, 'a renewal to fail while the registry is down');
    assert.equal((errors[0] as { code?: string }).code, 'ERR_REGISTRY_UNAVAILABLE');
    second = new RegistryServer();
    await second.listen(new URL(url).host);
    await waitFor(() => second!.servers().includes(ADDRESS), 'the heartbeat to register again');
  } finally {
    await heartbeat.stop();
    await second?.close();
  }
});

test('a stopped heartbeat renews no more', async () => {
  const registry = new RegistryServer();
  const url = await registry.listen();
  const heartbeat = startHeartbeat(url, ADDRESS, { intervalMs: 20 });
  try {
    await heartbeat.registered;
    await heartbeat.stop();
    const beats = heartbeat.beats;
    await sleep(100);
    assert.equal(heartbeat.beats, beats);
  } finally {
    await registry.close();
  }
});

test('bad arguments are refused', () => {
  assert.throws(() => startHeartbeat('ftp://x', ADDRESS), { code: 'ERR_INVALID_ARGUMENT' });
  assert.throws(() => startHeartbeat('http://127.0.0.1:1/_geerpc_/registry', 'nowhere'), {
    code: 'ERR_INVALID_ADDRESS',
  });
  assert.throws(() => startHeartbeat('http://127.0.0.1:1/_geerpc_/registry', ADDRESS, { intervalMs: 0 }), {
    code: 'ERR_INVALID_ARGUMENT',
    message: /options\.intervalMs/,
  });
});
