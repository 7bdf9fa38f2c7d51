import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createSeededRandom } from '../../../src/util/seeded-random.ts';
import { ClientEntry } from '../../../src/xclient/client-entry.ts';
import { MultiServersDiscovery } from '../../../src/xclient/discovery/multi-servers-discovery.ts';
import { LatencyEstimates } from '../../../src/xclient/latency/latency-estimates.ts';
import { decayFactor, PeakEwma } from '../../../src/xclient/latency/peak-ewma.ts';
import { XClient } from '../../../src/xclient/xclient.ts';
import { startServers } from '../../fixtures/servers.ts';

const close = (actual: number, expected: number) =>
  assert.ok(Math.abs(actual - expected) < 1e-9, `${actual} is not ${expected}`);

test('peak EWMA: the first sample is the estimate; a faster one is averaged in by the time since the last', () => {
  const ewma = new PeakEwma(10_000);
  assert.equal(ewma.observe(10, 0), 10);
  // One decay time later the old estimate weighs e^-1: 10·e^-1 + 2·(1 − e^-1) = 4.943035529...
  close(ewma.observe(2, 10_000), 10 * Math.exp(-1) + 2 * (1 - Math.exp(-1)));
  close(ewma.valueAt(10_000), 4.943035529371539);
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
  assert.equal(ewma.valueAt(5), 50, 'reading does not change the state');
  // Half a decay time after the peak, a 1 ms reply: 50·e^-0.5 + 1·(1 − e^-0.5).
  close(ewma.observe(1, 505), 50 * Math.exp(-0.5) + (1 - Math.exp(-0.5)));
});

test('a cost is estimate x (in flight + 1); an unsampled server costs the mean of the sampled ones', () => {
  const entries = new Map(['a', 'b', 'c'].map((address) => [address, new ClientEntry(address)]));
  const entry = (address: string) => entries.get(address)!;
  entry('a').inFlight = 3;
  entry('c').inFlight = 1;
  const estimates = new LatencyEstimates(10_000, (address) => entries.get(address));
  assert.equal(estimates.costOf('a'), 4, 'no sample anywhere: least request, in flight + 1');
  estimates.observe(entry('a'), 2, 0);
  estimates.observe(entry('b'), 6, 0);
  estimates.nowMs = 0;
  assert.equal(estimates.costOf('a'), 2 * 4);
  assert.equal(estimates.costOf('b'), 6 * 1);
  assert.equal(estimates.costOf('c'), ((2 + 6) / 2) * 2, 'unsampled: the mean of 2 and 6');
  assert.equal(estimates.costOf('d'), (2 + 6) / 2, 'no entry yet: the mean, nothing in flight');
  estimates.observe(entry('b'), 10, 0);
  assert.equal(estimates.costOf('c'), ((2 + 10) / 2) * 2, 'the mean follows a changed estimate');
  const gone = entry('b');
  gone.retired = true;
  entries.delete('b');
  estimates.forget([gone]);
  assert.equal(estimates.costOf('c'), 2 * 2, 'a server gone leaves the mean');
  estimates.observe(gone, 1, 0);
  assert.equal(
    estimates.costOf('c'),
    2 * 2,
    'a late reply from a server gone does not come back into the mean',
  );
  // Half a decay time on, the mean decays with the estimates it is compared with: a new server
  // ties with a lone sampled one rather than losing every pick to it.
  estimates.nowMs = 5_000;
  close(estimates.costOf('d'), 2 * Math.exp(-0.5));
  assert.equal(estimates.costOf('d'), estimates.costOf('a') / 4);
});

test('a failure can raise the estimate (a timeout) but never lower it (a server failing fast)', () => {
  const a = new ClientEntry('a');
  const z = new ClientEntry('z');
  const entries = new Map([
    ['a', a],
    ['z', z],
  ]);
  const estimates = new LatencyEstimates(10_000, (address) => entries.get(address));
  estimates.observe(a, 5, 0);
  estimates.observe(a, 0.1, 10_000, true);
  estimates.nowMs = 10_000;
  close(estimates.costOf('a'), 5 * Math.exp(-1));
  estimates.observe(a, 100, 10_000, true);
  assert.equal(estimates.costOf('a'), 100);
  estimates.observe(z, 0.1, 10_000, true);
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

test("callDetailed: the caller's start reading is the one peak-ewma times, and the outcome carries the end reading", async () => {
  class Echo {
    Call(args: unknown): unknown {
      return args;
    }
  }
  const set = await startServers(2, () => [new Echo()]);
  const discovery = new MultiServersDiscovery(set.addresses, { random: createSeededRandom(5) });
  const xclient = new XClient(discovery, 'peak-ewma');
  try {
    // Both servers answer fast and get an estimate (missing one in 60 calls: 2^-59).
    for (let i = 0; i < 60; i++) await xclient.call('Echo.Call', i);
    const beforeMs = performance.now();
    const slow = await xclient.callDetailed('Echo.Call', 0, undefined, beforeMs - 5000);
    assert.ok(slow.endMs >= beforeMs && slow.endMs <= performance.now(), `endMs ${slow.endMs}`);
    // The reply counted as 5 s late: its server's estimate jumped to that peak and it loses every
    // pick to the other one, fast; timed by the XClient's own reading it would get about half.
    const other = set.addresses.find((address) => address !== slow.address)!;
    for (let i = 0; i < 20; i++) {
      const outcome = await xclient.callDetailed('Echo.Call', i);
      assert.equal(outcome.address, other, `call ${i}`);
    }
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
