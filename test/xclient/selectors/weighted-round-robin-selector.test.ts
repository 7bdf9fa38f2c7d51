import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MultiServersDiscovery } from '../../../src/xclient/discovery/multi-servers-discovery.ts';
import { XClient } from '../../../src/xclient/xclient.ts';
import { startServers } from '../../fixtures/servers.ts';
import { chiSquareTest } from '../../fixtures/stats.ts';

const [A, B, C] = ['tcp@127.0.0.1:9201', 'tcp@127.0.0.1:9202', 'tcp@127.0.0.1:9203'] as const;

test('smooth weighted round robin interleaves as nginx does', () => {
  const discovery = new MultiServersDiscovery([A, B, C], { weights: { [A]: 5, [B]: 1, [C]: 1 } });
  const picks = Array.from({ length: 14 }, () => discovery.trySelect('weighted-roundrobin')!);
  const expected = [A, A, B, A, C, A, A];
  assert.deepEqual(picks, [...expected, ...expected]);
});

test('weighted shares match the weights exactly over whole cycles, and a chi-square test agrees', () => {
  const weights = { [A]: 3, [B]: 2, [C]: 1 };
  const discovery = new MultiServersDiscovery([A, B, C], { weights });
  const counts = new Map<string, number>([A, B, C].map((s) => [s, 0]));
  for (let i = 0; i < 30_000; i++) {
    const pick = discovery.trySelect('weighted-roundrobin')!;
    counts.set(pick, counts.get(pick)! + 1);
  }
  assert.deepEqual([...counts.values()], [15_000, 10_000, 5_000]);
  const { pValue } = chiSquareTest([...counts.values()], [15_000, 10_000, 5_000]);
  assert.ok(pValue > 0.001);
});

test('servers without a weight count as 1, and a list change keeps the weights', async () => {
  const discovery = new MultiServersDiscovery([A, B], { weights: { [A]: 2, [C]: 3 } });
  const firstCycle = Array.from({ length: 3 }, () => discovery.trySelect('weighted-roundrobin')!);
  assert.deepEqual(firstCycle.filter((p) => p === A).length, 2);
  await discovery.update([A, B, C]);
  const picks = Array.from({ length: 60 }, () => discovery.trySelect('weighted-roundrobin')!);
  assert.deepEqual(
    [A, B, C].map((s) => picks.filter((p) => p === s).length),
    [20, 10, 30],
  );
});

test('a weight that is not a positive number is refused, naming the option', () => {
  assert.throws(() => new MultiServersDiscovery([A], { weights: { [A]: 0 } }), {
    code: 'ERR_INVALID_ARGUMENT',
    message: /options\.weights\["tcp@127\.0\.0\.1:9201"\] must be a positive finite number/,
  });
});

test('weighted round robin end to end, counted on the servers', async () => {
  const set = await startServers(3);
  const [a, b, c] = set.addresses as [string, string, string];
  const xclient = new XClient(
    new MultiServersDiscovery(set.addresses, { weights: { [a]: 1, [b]: 2, [c]: 3 } }),
    'weighted-roundrobin',
  );
  try {
    await Promise.all(Array.from({ length: 600 }, (_, i) => xclient.call('Bench.Echo', i)));
    assert.deepEqual(set.counts(), [100, 200, 300]);
  } finally {
    await xclient.close();
    await set.close();
  }
});
