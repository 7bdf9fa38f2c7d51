import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createSeededRandom } from '../../../src/util/seeded-random.ts';
import { MultiServersDiscovery } from '../../../src/xclient/discovery/multi-servers-discovery.ts';
import { XClient } from '../../../src/xclient/xclient.ts';
import { createGate } from '../../fixtures/gate.ts';
import { startServers, waitFor } from '../../fixtures/servers.ts';
import { chiSquareTest } from '../../fixtures/stats.ts';

const SERVERS = Array.from({ length: 4 }, (_, i) => `tcp@127.0.0.1:${9400 + i}`);

test('p2c never picks the busiest server while a less loaded one can be drawn beside it', () => {
  const discovery = new MultiServersDiscovery(SERVERS, { random: createSeededRandom(5) });
  const load = new Map([[SERVERS[0]!, 10]]);
  const inFlight = (address: string) => load.get(address) ?? 0;
  const counts = new Map(SERVERS.map((s) => [s, 0]));
  for (let i = 0; i < 3000; i++) {
    const pick = discovery.trySelect('p2c', { inFlight })!;
    counts.set(pick, counts.get(pick)! + 1);
  }
  assert.equal(counts.get(SERVERS[0]!), 0);
  const rest = SERVERS.slice(1).map((s) => counts.get(s)!);
  assert.ok(chiSquareTest(rest, [1000, 1000, 1000]).pValue > 0.001, `others: ${rest.join(', ')}`);
});

test('p2c without in-flight counts is uniform random selection', () => {
  const discovery = new MultiServersDiscovery(SERVERS, { random: createSeededRandom(6) });
  const counts = new Map(SERVERS.map((s) => [s, 0]));
  for (let i = 0; i < 8000; i++) {
    const pick = discovery.trySelect('p2c')!;
    counts.set(pick, counts.get(pick)! + 1);
  }
  assert.ok(chiSquareTest([...counts.values()], [2000, 2000, 2000, 2000]).pValue > 0.001);
});

test('p2c end to end avoids the server still holding its calls, by the XClient own in-flight counts', async () => {
  const gates = [createGate(), createGate(), createGate()];
  const set = await startServers(3);
  for (const [i, server] of set.servers.entries()) server.register(gates[i]!.service, { name: 'Gate' });
  const xclient = new XClient(
    new MultiServersDiscovery(set.addresses, { random: createSeededRandom(8) }),
    'p2c',
  );
  try {
    // Started in one tick: each selection already sees the calls placed before it.
    const held = Array.from({ length: 30 }, () => xclient.callDetailed('Gate.Wait', null));
    assert.equal(xclient.stats().inFlight, 30);
    let settled = 0;
    for (const call of held) void call.then(() => settled++);
    gates[1]!.open();
    gates[2]!.open();
    await waitFor(() => settled + gates[0]!.waiting === 30, 'the released calls to settle');
    const busy = gates[0]!.waiting;
    assert.ok(busy >= 5, `p2c spread the held calls: ${busy} of 30 on the first server`);

    for (let i = 0; i < 30; i++) await xclient.call('Bench.Echo', i);
    const counts = set.counts();
    assert.equal(counts[0], 0, 'the loaded server got none of the calls that followed');
    assert.equal(counts[1]! + counts[2]!, 30);

    gates[0]!.open();
    const outcomes = await Promise.all(held);
    assert.equal(outcomes.filter((o) => o.address === set.addresses[0]).length, busy);
  } finally {
    await xclient.close();
    await set.close();
  }
});
