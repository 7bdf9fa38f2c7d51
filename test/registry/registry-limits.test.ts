// A hostile client against the registry's size limits: long addresses, many registrations.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { test } from 'node:test';
import { RegistryServer } from '../../src/registry/registry-server.ts';
import { RegistryDiscovery } from '../../src/xclient/discovery/registry-discovery.ts';

interface Answer {
  status: number;
  headers: NodeJS.Dict<string | string[]>;
  body: string;
}

function send(url: string, method: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString() }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

const register = (url: string, address: string) => send(url, 'POST', { 'X-Geerpc-Server': address });

/** POSTs every address, `parallel` at a time; returns the statuses in order. */
async function registerAll(url: string, addresses: readonly string[], parallel = 64): Promise<number[]> {
  const statuses: number[] = new Array(addresses.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < addresses.length) {
        const i = next++;
        statuses[i] = (await register(url, addresses[i]!)).status;
      }
    }),
  );
  return statuses;
}

test('an address longer than 256 bytes is refused with 400 naming the limit, and discovery goes on', async (t) => {
  const registry = new RegistryServer();
  t.after(() => registry.close());
  const url = await registry.listen();
  for (const port of [1, 2]) {
    const huge = `tcp@127.0.0.1${'0'.repeat(9 * 1024)}:${port}`;
    const answer = await register(url, huge);
    assert.equal(answer.status, 400);
    assert.match(answer.body, /9\d{3} bytes refused: the limit is 256 bytes/);
  }
  const at257 = await register(url, `tcp@${'a'.repeat(251)}:1`);
  assert.equal(at257.status, 400);
  assert.match(at257.body, /257 bytes refused: the limit is 256 bytes/);
  const at256 = await register(url, `tcp@${'a'.repeat(250)}:1`);
  assert.equal(at256.status, 403, '256 bytes pass the length check; the allow-list refuses the name');
  assert.equal(registry.size, 0);
  assert.equal((await register(url, 'tcp@127.0.0.1:9001')).status, 200);
  const discovery = new RegistryDiscovery(url);
  t.after(() => discovery.close());
  assert.deepEqual(await discovery.getAll(), ['tcp@127.0.0.1:9001']);
  const plain = await send(url, 'GET');
  assert.equal(plain.headers['x-geerpc-servers'], 'tcp@127.0.0.1:9001');
});

test('10,000 registered servers: RegistryDiscovery reads them all from the body; a plain GET stays readable', {
  timeout: 120_000,
}, async (t) => {
  const registry = new RegistryServer();
  t.after(() => registry.close());
  const url = await registry.listen();
  const addresses = Array.from({ length: 10_000 }, (_, i) => `tcp@127.0.0.1:${20_000 + i}`);
  const statuses = await registerAll(url, addresses);
  assert.deepEqual(new Set(statuses), new Set([200]));
  assert.equal(registry.size, 10_000);

  const discovery = new RegistryDiscovery(url);
  t.after(() => discovery.close());
  assert.deepEqual(await discovery.getAll(), [...addresses].sort());

  // What Go's discovery sends: a plain GET, read from the header, which stays under 8 KiB.
  const plain = await send(url, 'GET');
  assert.equal(plain.status, 200);
  const header = plain.headers['x-geerpc-servers'] as string;
  assert.ok(header.length > 0 && header.length <= 7 * 1024, `header of ${header.length} bytes`);
  const listed = header.split(',');
  assert.deepEqual(listed, [...addresses].sort().slice(0, listed.length));
  assert.equal(plain.headers['x-geerpc-servers-truncated'], `${listed.length}/10000`);
  assert.match(plain.body, /Accept: application\/json/);

  const json = await send(url, 'GET', { Accept: 'application/json' });
  assert.equal(json.headers['x-geerpc-servers'], undefined);
  assert.equal((JSON.parse(json.body) as { servers: string[] }).servers.length, 10_000);
});

test('a full registry refuses new addresses with 503 and a clear body, and still renews known ones', async (t) => {
  const registry = new RegistryServer({ maxServers: 3, expiryMs: 200, purgeIntervalMs: 60_000 });
  t.after(() => registry.close());
  const url = await registry.listen();
  assert.deepEqual(
    await registerAll(url, ['tcp@127.0.0.1:1', 'tcp@127.0.0.1:2', 'tcp@127.0.0.1:3']),
    [200, 200, 200],
  );
  const refused = await register(url, 'tcp@127.0.0.1:4');
  assert.equal(refused.status, 503);
  assert.match(refused.body, /registry is full \(maxServers 3\)/);
  assert.equal(refused.headers['retry-after'], '60');
  assert.equal((await register(url, 'tcp@127.0.0.1:2')).status, 200, 'a renewal');
  assert.deepEqual(registry.servers(), ['tcp@127.0.0.1:1', 'tcp@127.0.0.1:2', 'tcp@127.0.0.1:3']);
  // Dead registrations make room: the refused address gets in once the others expired.
  await new Promise((resolve) => setTimeout(resolve, 250));
  assert.equal((await register(url, 'tcp@127.0.0.1:4')).status, 200);
  assert.deepEqual(registry.servers(), ['tcp@127.0.0.1:4']);
});

test('maxServers is validated with a message naming it', () => {
  for (const maxServers of [0, -1, 1.5, Number.NaN]) {
    assert.throws(() => new RegistryServer({ maxServers }), {
      code: 'ERR_INVALID_ARGUMENT',
      message: /options\.maxServers/,
    });
  }
});
