import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MultiServersDiscovery } from '../../../src/xclient/discovery/multi-servers-discovery.ts';
import { XClient } from '../../../src/xclient/xclient.ts';
import { startServers } from '../../fixtures/servers.ts';

const SERVERS = Array.from({ length: 6 }, (_, i) => `tcp@127.0.0.1:${9300 + i}`);
const KEYS = Array.from({ length: 10_000 }, (_, i) => `user-${i}`);

function assignments(discovery: MultiServersDiscovery): string[] {
  return KEYS.map((key) => discovery.trySelect('consistent-hash', { key })!);
}

test('adding one server to five moves about 1/6 of the keys, all of them to the new server', async () => {
  const discovery = new MultiServersDiscovery(SERVERS.slice(0, 5));
  const before = assignments(discovery);
  await discovery.update(SERVERS);
  const after = assignments(discovery);
  let moved = 0;
  for (let i = 0; i < KEYS.length; i++) {
    if (before[i] === after[i]) continue;
    moved++;
    assert.equal(after[i], SERVERS[5], `key ${KEYS[i]} moved between two old servers`);
  }
  const fraction = moved / KEYS.length;
  assert.ok(fraction > 0.5 / 6 && fraction < 1.5 / 6, `moved fraction ${fraction}, expected about ${1 / 6}`);
});

test('removing a server moves only its own keys, and the shares stay even', async () => {
  const discovery = new MultiServersDiscovery(SERVERS);
  const before = assignments(discovery);
  for (const server of SERVERS) {
    const share = before.filter((s) => s === server).length / KEYS.length;
    assert.ok(share > 0.5 / 6 && share < 1.5 / 6, `share of ${server} is ${share}`);
  }
  await discovery.update(SERVERS.filter((s) => s !== SERVERS[2]));
  const after = assignments(discovery);
  for (let i = 0; i < KEYS.length; i++) {
    if (before[i] !== SERVERS[2]) assert.equal(after[i], before[i]);
  }
});

test('the ring does not depend on the order of the list', () => {
  const forward = assignments(new MultiServersDiscovery(SERVERS));
  const backward = assignments(new MultiServersDiscovery([...SERVERS].reverse()));
  assert.deepEqual(forward, backward);
});

test('a call without a key is refused with ERR_MISSING_KEY', async () => {
  const discovery = new MultiServersDiscovery(SERVERS);
  await assert.rejects(discovery.get('consistent-hash'), { code: 'ERR_MISSING_KEY' });
  const xclient = new XClient(discovery, 'consistent-hash');
  await assert.rejects(xclient.call('Bench.Echo', 1), { code: 'ERR_MISSING_KEY' });
  await xclient.close();
});

test('end to end, one key always reaches the same server', async () => {
  const set = await startServers(4);
  const xclient = new XClient(new MultiServersDiscovery(set.addresses), 'consistent-hash');
  try {
    const servedBy = new Set<string>();
    for (let i = 0; i < 40; i++) {
      servedBy.add((await xclient.callDetailed('Bench.Echo', i, { key: 'session-42' })).address);
    }
    assert.equal(servedBy.size, 1);
    const counts = set.counts();
    assert.deepEqual(
      counts.filter((c) => c > 0),
      [40],
    );
    assert.equal(counts[set.addresses.indexOf([...servedBy][0]!)], 40);
  } finally {
    await xclient.close();
    await set.close();
  }
});
