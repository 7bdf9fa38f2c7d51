import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createSeededRandom } from '../../../src/util/seeded-random.ts';
import { MultiServersDiscovery } from '../../../src/xclient/discovery/multi-servers-discovery.ts';
import { XClient } from '../../../src/xclient/xclient.ts';
import { startServers } from '../../fixtures/servers.ts';

function assertFair(counts: readonly number[], calls: number): void {
  const n = counts.length;
  for (const count of counts) {
    assert.ok(
      count === Math.floor(calls / n) || count === Math.ceil(calls / n),
      `each of ${n} servers should get floor or ceil of ${calls}/${n}, got ${counts.join(', ')}`,
    );
  }
  assert.equal(
    counts.reduce((a, b) => a + b, 0),
    calls,
  );
}

function tally(addresses: readonly string[], picks: readonly string[]): number[] {
  return addresses.map((address) => picks.filter((pick) => pick === address).length);
}

test('round robin spreads calls evenly, counted on the servers, and serves a new list fairly at once', async () => {
  const set = await startServers(4);
  const [a, b, c, d] = set.addresses as [string, string, string, string];
  const discovery = new MultiServersDiscovery([a, b, c], { random: createSeededRandom(7) });
  const xclient = new XClient(discovery, 'roundrobin');
  try {
    await Promise.all(Array.from({ length: 100 }, (_, i) => xclient.call('Bench.Echo', i)));
    assertFair(set.counts().slice(0, 3), 100);
    assert.equal(set.counts()[3], 0);

    const before = set.counts();
    await discovery.update([a, b, d]);
    for (let i = 0; i < 50; i++) await xclient.call('Bench.Echo', i);
    const delta = set.counts().map((count, i) => count - before[i]!);
    assertFair([delta[0]!, delta[1]!, delta[3]!], 50);
    assert.equal(delta[2], 0, 'a server removed from the list gets no more calls');
  } finally {
    await xclient.close();
    await set.close();
  }
});

test('round robin stays fair for every k after the list shrinks or grows', async () => {
  const all = Array.from({ length: 7 }, (_, i) => `tcp@127.0.0.1:${9000 + i}`);
  const discovery = new MultiServersDiscovery(all.slice(0, 5), { random: createSeededRandom(1) });
  const random = createSeededRandom(99);
  for (let round = 0; round < 40; round++) {
    const size = 1 + Math.floor(random() * all.length);
    const list = all.slice(0, size);
    await discovery.update(list);
    const calls = 1 + Math.floor(random() * 30);
    const picks: string[] = [];
    for (let i = 0; i < calls; i++) picks.push(await discovery.get('roundrobin'));
    assertFair(tally(list, picks), calls);
  }
});

test('round robin starts at a random server, reproducibly for one seed', async () => {
  const list = Array.from({ length: 8 }, (_, i) => `tcp@127.0.0.1:${9000 + i}`);
  const firstPick = (seed: number) =>
    new MultiServersDiscovery(list, { random: createSeededRandom(seed) }).get('roundrobin');
  const firsts = new Set<string>();
  for (let seed = 0; seed < 20; seed++) firsts.add(await firstPick(seed));
  assert.ok(firsts.size > 1, 'different seeds start at different servers');
  assert.equal(await firstPick(5), await firstPick(5));
});
