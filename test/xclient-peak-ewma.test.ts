import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createSeededRandom } from '../src/util/seeded-random.ts';
import { MultiServersDiscovery } from '../src/xclient/discovery/multi-servers-discovery.ts';
import { LatencyEstimates } from '../src/xclient/latency/latency-estimates.ts';
import { decayFactor, PeakEwma } from '../src/xclient/latency/peak-ewma.ts';
import { XClient } from '../src/xclient/xclient.ts';
import { startServers } from './fixtures/servers.ts';

const close = (actual: number, expected: number) =>
  assert.ok(Math.abs(actual - expected) < 1e-9, `${actual} is not ${expected}`);

test('peak EWMA: the first sample is the estimate; a faster one is averaged in by the time since the last', () => {
  const ewma = new PeakEwma(10_000);
  assert.equal(ewma.observe(10, 0), 10);
  // One decay time later the old estimate weighs e^-1: 10·e^-1 + 2·(1 − e^-1) = 4.943035529...
  close(ewma.observe(2, 10_000), 10 * Math.exp(-1) + 2 * (1 - Math.exp(-1)));
  close(ewma.lastEstimateMs, 4.943035529371539);
  // A sample in the same instant weighs nothing: the estimate stays.
  close(ewma.observe(1, 10_000), 4.943035529371539);
});

test('peak EWMA: a slower reply replaces the estimate at once, and it decays while no reply comes', () => {
  const ewma = new PeakEwma(1_000);
  ewma.observe(1, 0);
  assert.equal(ewma.observe(50, 5), 50, 'the peak is taken whole');
  close(ewma.valueAt(5), 50);
  // Two decay times without a reply: 50·e^-2 = 6.766764161...
  close(ewma.valueAt(2_005), 6.766764161830635);
  assert.equal(ewma.lastEstimateMs, 50, 'reading does not change the state');
  // Half a decay time after the peak, a 1 ms reply: 50·e^-0.5 + 1·(1 − e^-0.5).
  close(ewma.observe(1, 505), 50 * Math.exp(-0.5) + (1 - Math.exp(-0.5)));
});

test('cost is estimate × (in flight + 1); a server without a sample costs the mean estimate', () => {
  const inFlight = new Map([
    ['a', 3],
    ['c', 1],
  ]);
  const estimates = new LatencyEstimates(10_000, (address) => inFlight.get(address) ?? 0);
  assert.equal(estimates.costOf('a'), 4, 'no sample anywhere: least request, in flight + 1');
  estimates.observe('a', 2, 0);
  estimates.observe('b', 6, 0);
  estimates.nowMs = 0;
  assert.equal(estimates.costOf('a'), 2 * 4);
  assert.equal(estimates.costOf('b'), 6 * 1);
  assert.equal(estimates.costOf('c'), ((2 + 6) / 2) * 2, 'unsampled: the mean of 2 and 6');
  estimates.observe('b', 10, 0);
  assert.equal(estimates.costOf('c'), ((2 + 10) / 2) * 2, 'the mean follows a changed estimate');
  estimates.prune(['a', 'c']);
  assert.equal(estimates.costOf('c'), 2 * 2, 'a server gone leaves the mean');
});

test('a failure can raise the estimate (a timeout) but never lower it (a server failing fast)', () => {
  const estimates = new LatencyEstimates(10_000, () => 0);
  estimates.observe('a', 5, 0);
  estimates.observe('a', 0.1, 10_000, true);
  estimates.nowMs = 10_000;
  close(estimates.costOf('a'), 5 * Math.exp(-1));
  estimates.observe('a', 100, 10_000, true);
  assert.equal(estimates.costOf('a'), 100);
  estimates.observe('z', 0.1, 10_000, true);
  assert.equal(estimates.costOf('z'), 100, 'a first failure gives no sample: z costs the mean');
});

test('peak-ewma selection never picks the costliest server while a cheaper one can be drawn beside it', () => {
  const servers = ['tcp@127.0.0.1:1', 'tcp@127.0.0.1:2', 'tcp@127.0.0.1:3', 'tcp@127.0.0.1:4'];
  const discovery = new MultiServersDiscovery(servers, { random: createSeededRandom(3) });
  const cost = (address: string) => (address === servers[2] ? 50 : 1);
  const counts = new Map(servers.map((s) => [s, 0]));
  for (let i = 0; i < 4000; i++) {
    const pick = discovery.trySelect('peak-ewma', { cost })!;
    counts.set(pick, counts.get(pick)! + 1);
  }
  assert.equal(counts.get(servers[2]!), 0);
  for (const s of [0, 1, 3])
    assert.ok(counts.get(servers[s]!)! > 1000, `server ${s}: ${counts.get(servers[s]!)}`);
});

test('peak-ewma end to end: a server fifty times slower than the others loses most of its share', async () => {
  class Timed {
    constructor(readonly delayMs: number) {}
    Call(args: unknown): Promise<unknown> {
      return new Promise((resolve) => setTimeout(() => resolve(args), this.delayMs));
    }
  }
  const set = await startServers(3, (index) => [new Timed(index === 0 ? 100 : 2)]);
  const discovery = new MultiServersDiscovery(set.addresses, { random: createSeededRandom(11) });
  const xclient = new XClient(discovery, 'peak-ewma');
  try {
    const perCaller = 60;
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        for (let i = 0; i < perCaller; i++) await xclient.call('Timed.Call', i);
      }),
    );
    const counts = set.counts('Timed.Call');
    assert.equal(
      counts.reduce((a, b) => a + b, 0),
      4 * perCaller,
    );
    // Even shares would give it 80 of 240; at fifty times the latency it gets a handful.
    assert.ok(counts[0]! < 24, `the slow server got ${counts[0]} of 240 calls (${counts.join(', ')})`);
  } finally {
    await xclient.close();
    await set.close();
  }
});

test('peakEwmaDecayMs is checked', () => {
  const discovery = new MultiServersDiscovery(['tcp@127.0.0.1:1']);
  assert.throws(() => new XClient(discovery, 'peak-ewma', { peakEwmaDecayMs: 0 }), {
    code: 'ERR_INVALID_ARGUMENT',
    message: /peakEwmaDecayMs/,
  });
});

test('the decay factor is e^-x, from its series for tiny x', () => {
  for (const x of [0, 1e-9, 1e-6, 5e-4, 9.99e-4, 1e-3, 0.5, 1, 3]) {
    assert.ok(Math.abs(decayFactor(x) - Math.exp(-x)) < 2e-10, `x = ${x}`);
  }
});
