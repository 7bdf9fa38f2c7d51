import assert from 'node:assert/strict';
import { request } from 'node:http';
import { test } from 'node:test';
import { RegistryServer } from '../../src/registry/registry-server.ts';
import { sleep, waitFor } from '../fixtures/servers.ts';

interface Answer {
  status: number;
  servers: string | undefined;
}

function send(url: string, method: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, agent: false }, (res) => {
      res.resume();
      res.on('end', () =>
        resolve({ status: res.statusCode!, servers: res.headers['x-geerpc-servers'] as string | undefined }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

test('POST with X-Geerpc-Server registers; GET answers X-Geerpc-Servers, sorted', async () => {
  const registry = new RegistryServer();
  const url = await registry.listen();
  try {
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/_geerpc_\/registry$/);
    assert.deepEqual(await send(url, 'GET'), { status: 200, servers: '' });
    for (const address of ['tcp@127.0.0.1:9002', 'tcp@127.0.0.1:9001', 'tcp@127.0.0.1:9002']) {
      assert.equal((await send(url, 'POST', { 'X-Geerpc-Server': address })).status, 200);
    }
    assert.deepEqual(await send(url, 'GET'), {
      status: 200,
      servers: 'tcp@127.0.0.1:9001,tcp@127.0.0.1:9002',
    });
  } finally {
    await registry.close();
  }
});

test('bad requests are refused with a status that says why', async () => {
  const registry = new RegistryServer();
  const url = await registry.listen();
  try {
    assert.equal((await send(url, 'POST')).status, 400);
    assert.equal((await send(url, 'POST', { 'X-Geerpc-Server': 'not-an-address' })).status, 400);
    assert.equal((await send(url, 'DELETE')).status, 405);
    assert.equal((await send(url.replace('/_geerpc_/registry', '/other'), 'GET')).status, 404);
    assert.equal(registry.size, 0);
  } finally {
    await registry.close();
  }
});

test('a registration not renewed within the expiry is no longer listed', async () => {
  const registry = new RegistryServer({ expiryMs: 150, purgeIntervalMs: 10_000 });
  const url = await registry.listen();
  try {
    await send(url, 'POST', { 'X-Geerpc-Server': 'tcp@127.0.0.1:9001' });
    await sleep(200);
    await send(url, 'POST', { 'X-Geerpc-Server': 'tcp@127.0.0.1:9002' });
    assert.equal((await send(url, 'GET')).servers, 'tcp@127.0.0.1:9002');
  } finally {
    await registry.close();
  }
});

test('dead registrations are purged by the timer, without any read', async () => {
  const registry = new RegistryServer({ expiryMs: 50, purgeIntervalMs: 20 });
  const url = await registry.listen();
  try {
    await send(url, 'POST', { 'X-Geerpc-Server': 'tcp@127.0.0.1:9001' });
    assert.equal(registry.size, 1);
    await waitFor(() => registry.size === 0, 'the purge timer to drop the dead entry');
  } finally {
    await registry.close();
  }
});

test('options are validated with a message naming them', () => {
  assert.throws(() => new RegistryServer({ expiryMs: -1 }), {
    code: 'ERR_INVALID_ARGUMENT',
    message: /options\.expiryMs/,
  });
  assert.throws(() => new RegistryServer({ purgeIntervalMs: 0 }), {
    code: 'ERR_INVALID_ARGUMENT',
    message: /options\.purgeIntervalMs/,
  });
});
