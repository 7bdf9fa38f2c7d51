import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Client, ClientOptions } from '../../src/rpc/client.ts';
import { dial } from '../../src/rpc/dial.ts';
import { MultiServersDiscovery } from '../../src/xclient/discovery/multi-servers-discovery.ts';
import { XClient } from '../../src/xclient/xclient.ts';
import { createGate } from '../fixtures/gate.ts';
import { startServers } from '../fixtures/servers.ts';

function recordingDial() {
  const clients = new Map<string, Client>();
  return {
    clients,
    dial: async (address: string, options: ClientOptions) => {
      const client = await dial(address, options);
      clients.set(address, client);
      return client;
    },
  };
}

test('close() closes every client; later calls reject with ERR_XCLIENT_CLOSED', async () => {
  const set = await startServers(3);
  const recorder = recordingDial();
  const xclient = new XClient(new MultiServersDiscovery(set.addresses), 'roundrobin', {
    dial: recorder.dial,
  });
  try {
    await Promise.all(Array.from({ length: 3 }, (_, i) => xclient.call('Bench.Echo', i)));
    assert.equal(xclient.stats().openClients, 3);
    await xclient.close();
    for (const client of recorder.clients.values()) assert.equal(client.isAvailable(), false);
    assert.equal(xclient.stats().openClients, 0);
    await assert.rejects(xclient.call('Bench.Echo', 1), { code: 'ERR_XCLIENT_CLOSED' });
    await assert.rejects(xclient.broadcast('Bench.Echo', 1), { code: 'ERR_XCLIENT_CLOSED' });
    await xclient.close();
  } finally {
    await set.close();
  }
});

test('close() reports clients that fail to close instead of swallowing it', async () => {
  const set = await startServers(2);
  const xclient = new XClient(new MultiServersDiscovery(set.addresses), 'roundrobin', {
    dial: async (address, options) => {
      const client = await dial(address, options);
      const realClose = client.close.bind(client);
      client.close = async () => {
        await realClose();
        throw new Error(`cannot close ${address}`);
      };
      return client;
    },
  });
  await Promise.all([xclient.call('Bench.Echo', 1), xclient.call('Bench.Echo', 2)]);
  await assert.rejects(xclient.close(), (error: unknown) => {
    const { code, errors } = error as { code: string; errors: Error[] };
    assert.equal(code, 'ERR_CLOSE_FAILED');
    assert.deepEqual(
      errors.map((e) => e.message).sort(),
      set.addresses.map((a) => `cannot close ${a}`).sort(),
    );
    return true;
  });
  await set.close();
});

test('clients of servers that leave the discovery are closed, after their calls finish', async () => {
  const set = await startServers(3);
  const gate = createGate('late');
  set.servers[2]!.register(gate.service, { name: 'Gate' });
  const recorder = recordingDial();
  const discovery = new MultiServersDiscovery(set.addresses);
  const xclient = new XClient(discovery, 'consistent-hash', { dial: recorder.dial });
  try {
    for (let i = 0; i < 60; i++) await xclient.call('Bench.Echo', i, { key: `k${i}` });
    assert.equal(recorder.clients.size, 3);
    const [a, b, c] = set.addresses as [string, string, string];
    let keyOnC = '';
    for (let i = 0; !keyOnC; i++) {
      if ((await discovery.get('consistent-hash', { key: `c${i}` })) === c) keyOnC = `c${i}`;
    }
    const held = xclient.call('Gate.Wait', null, { key: keyOnC });
    while (gate.waiting === 0) await new Promise((r) => setTimeout(r, 5));

    await discovery.update([a]);
    assert.equal(recorder.clients.get(b)!.isAvailable(), false, 'an idle client closes at once');
    assert.equal(recorder.clients.get(c)!.isAvailable(), true, 'a client with a call in flight stays');
    gate.open();
    assert.equal(await held, 'late');
    assert.equal(recorder.clients.get(c)!.isAvailable(), false, 'and closes once the call is done');
    assert.equal(recorder.clients.get(a)!.isAvailable(), true);
    assert.equal(xclient.stats().openClients, 1);
  } finally {
    await xclient.close();
    await set.close();
  }
});

test('no servers, unknown modes and bad options are typed errors', async () => {
  const empty = new MultiServersDiscovery([]);
  await assert.rejects(empty.get('random'), {
    code: 'ERR_NO_SERVERS',
    message: 'rpc discovery: no available servers',
  });
  const xclient = new XClient(empty, 'roundrobin');
  await assert.rejects(xclient.call('Bench.Echo', 1), { code: 'ERR_NO_SERVERS' });
  await xclient.close();
  const discovery = new MultiServersDiscovery(['tcp@127.0.0.1:1']);
  // @ts-expect-error: a mode outside SelectMode, as a caller without types could pass
  await assert.rejects(discovery.get('least-latency'), {
    code: 'ERR_UNSUPPORTED_MODE',
    message: /least-latency/,
  });
  // @ts-expect-error: the same through the XClient constructor
  assert.throws(() => new XClient(discovery, 'fastest'), {
    code: 'ERR_UNSUPPORTED_MODE',
    message: /fastest/,
  });
  assert.throws(() => new XClient(discovery, 'random', { retries: -1 }), {
    code: 'ERR_INVALID_ARGUMENT',
    message: 'options.retries must be a non-negative integer',
  });
  assert.throws(() => new XClient(discovery, 'random', { callTimeoutMs: -5 }), {
    code: 'ERR_INVALID_ARGUMENT',
    message: /options\.callTimeoutMs/,
  });
  assert.throws(() => new MultiServersDiscovery(['localhost:80']), { code: 'ERR_INVALID_ADDRESS' });
});

test('getAll returns a copy', async () => {
  const discovery = new MultiServersDiscovery(['tcp@127.0.0.1:1', 'tcp@127.0.0.1:2']);
  const copy = await discovery.getAll();
  copy.pop();
  assert.deepEqual(await discovery.getAll(), ['tcp@127.0.0.1:1', 'tcp@127.0.0.1:2']);
});
