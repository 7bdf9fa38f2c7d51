import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Etcd3 } from 'etcd3';
import { type EtcdRegistration, registerWithEtcd } from '../../../src/registry/etcd-registration.ts';
import { EtcdDiscovery } from '../../../src/xclient/discovery/etcd-discovery.ts';
import { XClient } from '../../../src/xclient/xclient.ts';
import { type EtcdInstance, startEtcd } from '../../fixtures/etcd.ts';
import { startServers, waitFor } from '../../fixtures/servers.ts';

let etcd: EtcdInstance;
before(async () => {
  etcd = await startEtcd();
});
after(async () => {
  await etcd?.stop();
});

/** Milliseconds until `check` holds, polled every millisecond; reported, not asserted. */
async function timeUntil(check: () => Promise<boolean>, what: string): Promise<number> {
  const startMs = performance.now();
  await waitFor(check, what, 10_000, 1);
  return performance.now() - startMs;
}

test('servers added and removed in etcd are seen while calls run', async (t) => {
  const prefix = '/test/add-remove/';
  const set = await startServers(3);
  const [a, b, c] = set.addresses as [string, string, string];
  const registrations = new Map<string, EtcdRegistration>();
  for (const address of [a, b]) {
    registrations.set(address, await registerWithEtcd(etcd.endpoint, address, { prefix, ttlSeconds: 5 }));
  }
  const discovery = await EtcdDiscovery.connect(etcd.endpoint, { prefix });
  const xclient = new XClient(discovery, 'roundrobin');
  let running = true;
  let calls = 0;
  const failures: unknown[] = [];
  const deadlineMs = Date.now() + 20_000;
  const loop = (async () => {
    while (running && calls < 200_000 && Date.now() < deadlineMs) {
      await xclient.call('Bench.Echo', calls).catch((error: unknown) => failures.push(error));
      calls++;
      if (calls % 50 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
  })();
  try {
    assert.deepEqual(await discovery.getAll(), [a, b].sort());

    registrations.set(c, await registerWithEtcd(etcd.endpoint, c, { prefix, ttlSeconds: 5 }));
    const addedMs = await timeUntil(async () => (await discovery.getAll()).includes(c), 'the new server');
    await waitFor(() => set.counts()[2]! > 10, 'calls to reach the new server');

    await registrations.get(a)!.stop();
    const removedMs = await timeUntil(async () => !(await discovery.getAll()).includes(a), 'the removal');
    // The loop makes one call at a time: the one in flight when the removal was seen may have been
    // sent to the removed server, and finishes there. Count once it is done.
    const callsAtRemoval = calls;
    await waitFor(() => calls > callsAtRemoval, 'the call in flight at the removal');
    const countOnA = set.counts()[0];
    await waitFor(() => calls > callsAtRemoval + 100, 'more calls');
    assert.equal(set.counts()[0], countOnA, 'the removed server gets no more calls');
    t.diagnostic(
      `added server seen after ${addedMs.toFixed(1)} ms, removal after ${removedMs.toFixed(1)} ms`,
    );
  } finally {
    running = false;
    await loop;
    await xclient.close();
    await discovery.close();
    for (const registration of registrations.values()) await registration.stop();
    await set.close();
  }
  assert.deepEqual(failures, []);
  assert.ok(calls > 0);
  assert.equal(xclient.stats().inFlight, 0);
});

test('a registration is a key under the prefix, held by a lease and gone when revoked', async () => {
  const prefix = '/test/lease/';
  const address = 'tcp@127.0.0.1:9777';
  const registration = await registerWithEtcd(etcd.endpoint, address, { prefix, ttlSeconds: 3 });
  const client = new Etcd3({ hosts: etcd.endpoint });
  try {
    assert.equal(registration.key, `${prefix}${address}`);
    const { kvs } = await client.get(registration.key).exec();
    assert.equal(kvs[0]!.value.toString(), address);
    assert.notEqual(kvs[0]!.lease, '0', 'the key is attached to a lease');
    await registration.stop();
    assert.equal(await client.get(registration.key).string(), null);
  } finally {
    await registration.stop();
    client.close();
  }
});

test('the XClient closes the client of a server removed from etcd', async () => {
  const prefix = '/test/prune/';
  const set = await startServers(2);
  const registrations = await Promise.all(
    set.addresses.map((address) => registerWithEtcd(etcd.endpoint, address, { prefix })),
  );
  const discovery = await EtcdDiscovery.connect(etcd.endpoint, { prefix });
  const xclient = new XClient(discovery, 'roundrobin');
  try {
    await Promise.all([xclient.call('Bench.Echo', 1), xclient.call('Bench.Echo', 2)]);
    assert.equal(xclient.stats().openClients, 2);
    await registrations[0]!.stop();
    await waitFor(() => xclient.stats().openClients === 1, 'the departed server’s client to close');
  } finally {
    await xclient.close();
    await discovery.close();
    for (const registration of registrations) await registration.stop();
    await set.close();
  }
});

test('an unreachable etcd is a typed error within requestTimeoutMs', async () => {
  await assert.rejects(EtcdDiscovery.connect('http://127.0.0.1:1', { requestTimeoutMs: 300 }), {
    code: 'ERR_ETCD_UNAVAILABLE',
  });
  await assert.rejects(
    registerWithEtcd('http://127.0.0.1:1', 'tcp@127.0.0.1:9000', { requestTimeoutMs: 300 }),
    { code: 'ERR_ETCD_UNAVAILABLE' },
  );
  assert.throws(() => new EtcdDiscovery(''), { code: 'ERR_INVALID_ARGUMENT' });
});
