import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chiSquarePValue } from '../../../src/stats/chi-square.ts';
import { createSeededRandom } from '../../../src/util/seeded-random.ts';
import { MultiServersDiscovery } from '../../../src/xclient/discovery/multi-servers-discovery.ts';
import { XClient } from '../../../src/xclient/xclient.ts';
import { startServers } from '../../fixtures/servers.ts';
import { chiSquareTest } from '../../fixtures/stats.ts';

const ALPHA = 0.001;
const SERVERS = Array.from({ length: 5 }, (_, i) => `tcp@127.0.0.1:${9100 + i}`);

test('the chi-square p-value matches published quantiles', () => {
  assert.ok(Math.abs(chiSquarePValue(3.841, 1) - 0.05) < 1e-4);
  assert.ok(Math.abs(chiSquarePValue(18.467, 4) - 0.001) < 1e-5);
  assert.ok(Math.abs(chiSquarePValue(9.488, 4) - 0.05) < 1e-4);
  assert.ok(Math.abs(chiSquarePValue(124.342, 100) - 0.05) < 1e-4);
  assert.equal(chiSquarePValue(0, 3), 1);
});

test('random selection with a fixed seed is uniform: chi-square over 30,000 picks on 5 servers', async () => {
  const discovery = new MultiServersDiscovery(SERVERS, { random: createSeededRandom(20240601) });
  const counts = new Map(SERVERS.map((s) => [s, 0]));
  for (let i = 0; i < 30_000; i++) {
    const pick = discovery.trySelect('random')!;
    counts.set(pick, counts.get(pick)! + 1);
  }
  const { pValue } = chiSquareTest(
    [...counts.values()],
    SERVERS.map(() => 6000),
  );
  assert.ok(pValue > ALPHA, `p = ${pValue} for counts ${[...counts.values()].join(', ')}`);
});

test('a seed replays the same selections; another seed does not', async () => {
  const run = (seed: number) => {
    const discovery = new MultiServersDiscovery(SERVERS, { random: createSeededRandom(seed) });
    return Array.from({ length: 200 }, () => discovery.trySelect('random')!);
  };
  assert.deepEqual(run(3), run(3));
  assert.notDeepEqual(run(3), run(4));
});

test('random selection end to end is uniform, counted on the servers', async () => {
  const set = await startServers(5);
  const xclient = new XClient(
    new MultiServersDiscovery(set.addresses, { random: createSeededRandom(11) }),
    'random',
  );
  try {
    for (let batch = 0; batch < 20; batch++) {
      await Promise.all(Array.from({ length: 100 }, (_, i) => xclient.call('Bench.Echo', i)));
    }
    const counts = set.counts();
    const { pValue } = chiSquareTest(
      counts,
      counts.map(() => 400),
    );
    assert.ok(pValue > ALPHA, `p = ${pValue} for counts ${counts.join(', ')}`);
  } finally {
    await xclient.close();
    await set.close();
  }
});
