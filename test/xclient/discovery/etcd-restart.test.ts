import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Etcd3 } from 'etcd3';
import { type EtcdRegistration, registerWithEtcd } from '../../../src/registry/etcd-registration.ts';
import { EtcdDiscovery } from '../../../src/xclient/discovery/etcd-discovery.ts';
import { startEtcd } from '../../fixtures/etcd.ts';
import { waitFor } from '../../fixtures/servers.ts';

const EARLY = 'tcp@127.0.0.1:9801';
const LATE = 'tcp@127.0.0.1:9802';

test('etcd restarted without its data: leases are granted again and the discovery resynchronises', {
  timeout: 60_000,
}, async () => {
  const first = await startEtcd();
  let second: Awaited<ReturnType<typeof startEtcd>> | undefined;
  const registrations: EtcdRegistration[] = [];
  let discovery: EtcdDiscovery | undefined;
  const lost: Error[] = [];
  try {
    registrations.push(
      await registerWithEtcd(first.endpoint, EARLY, { ttlSeconds: 2, onError: (error) => lost.push(error) }),
    );
    // Revisions the restarted etcd will not have: a watch resumed after them would wait in vain.
    const noise = new Etcd3({ hosts: first.endpoint });
    try {
      for (let i = 0; i < 20; i++) await noise.put(`/noise/${i}`).value('x');
    } finally {
      noise.close();
    }
    discovery = await EtcdDiscovery.connect(first.endpoint);
    assert.deepEqual(await discovery.getAll(), [EARLY]);

    await first.stop();
    second = await startEtcd({ clientPort: first.clientPort, peerPort: first.peerPort });
    const client = new Etcd3({ hosts: second.endpoint });
    try {
      await waitFor(
        async () => (await client.getAll().prefix('/rpcbench/servers/').keys()).length === 1,
        'the lease to be granted again',
      );
    } finally {
      client.close();
    }
    assert.ok(lost.length > 0, 'the lost lease was reported');

    // The new etcd's revisions start over: only a fresh watch sees changes made after the restart.
    registrations.push(await registerWithEtcd(second.endpoint, LATE, { ttlSeconds: 2 }));
    await waitFor(
      async () => (await discovery!.getAll()).includes(LATE),
      'the discovery to see the new server',
    );
    await registrations.pop()!.stop();
    await waitFor(
      async () => !(await discovery!.getAll()).includes(LATE),
      'the discovery to see the removal',
    );
    assert.deepEqual(await discovery.getAll(), [EARLY]);
  } finally {
    for (const registration of registrations) await registration.stop().catch(() => undefined);
    await discovery?.close();
    await first.stop();
    await second?.stop();
  }
});
