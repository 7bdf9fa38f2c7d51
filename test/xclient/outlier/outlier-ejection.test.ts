import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CallTimeoutError, ConnectionClosedError, RemoteError } from '../../../src/rpc/errors.ts';
import { createSeededRandom } from '../../../src/util/seeded-random.ts';
import { MultiServersDiscovery } from '../../../src/xclient/discovery/multi-servers-discovery.ts';
import { OutlierDetector, type OutlierEvent } from '../../../src/xclient/outlier/outlier-detector.ts';
import {
  type OutlierDetectionOptions,
  resolveOutlierDetection,
} from '../../../src/xclient/outlier/outlier-options.ts';
import type { SelectMode } from '../../../src/xclient/select-mode.ts';
import { XClient } from '../../../src/xclient/xclient.ts';
import { startServers, waitFor } from '../../fixtures/servers.ts';

const SERVERS = ['tcp@127.0.0.1:1', 'tcp@127.0.0.1:2', 'tcp@127.0.0.1:3', 'tcp@127.0.0.1:4'];
const [A, B, C] = SERVERS as [string, string, string, string];
const transportError = () => new ConnectionClosedError();

function detector(options: OutlierDetectionOptions, servers = SERVERS) {
  const events: OutlierEvent[] = [];
  const outliers = new OutlierDetector(resolveOutlierDetection(options), 0, (event) => events.push(event));
  outliers.update(servers, 0);
  return { outliers, events };
}

test('consecutive errors eject at once; the server returns at the first tick after its back-off', () => {
  const { outliers, events } = detector({
    consecutiveErrors: 3,
    baseEjectionMs: 1_000,
    maxEjectedPercent: 50,
  });
  outliers.failure(A, transportError(), 10);
  outliers.failure(A, transportError(), 20);
  outliers.success(A);
  outliers.failure(A, transportError(), 30);
  outliers.failure(A, transportError(), 40);
  assert.equal(outliers.has(A), false, 'a success in between restarts the count');
  outliers.failure(A, transportError(), 50);
  assert.equal(outliers.has(A), true);
  assert.deepEqual(events, [
    { kind: 'ejected', address: A, atMs: 50, reason: 'consecutive-errors', ejectionMs: 1_000 },
  ]);
  outliers.tick(1_049);
  assert.equal(outliers.has(A), true);
  outliers.tick(1_050);
  assert.equal(outliers.has(A), false);
  assert.deepEqual(events.at(-1), { kind: 'returned', address: A, atMs: 1_050 });
});

test('repeated ejections last longer each time, up to ten times the base, and are forgiven by healthy intervals', () => {
  const { outliers, events } = detector({
    consecutiveErrors: 1,
    baseEjectionMs: 100,
    intervalMs: 10_000,
    maxEjectedPercent: 50,
  });
  let nowMs = 0;
  for (let round = 1; round <= 12; round++) {
    outliers.failure(A, transportError(), nowMs);
    const ejected = events.at(-1)!;
    assert.equal(ejected.kind, 'ejected');
    assert.equal((ejected as { ejectionMs: number }).ejectionMs, 100 * Math.min(round, 10));
    nowMs += 100 * Math.min(round, 10);
    outliers.tick(nowMs);
    assert.equal(outliers.has(A), false, `returned after round ${round}`);
  }
  // The interval it came back in does not count; the next two, spent wholly in selection, forgive
  // two ejections: 10 becomes 8, and the next ejection is the ninth, 9 × base.
  for (const atMs of [200_000, 210_000, 220_000]) outliers.tick(atMs);
  outliers.failure(A, transportError(), 220_000);
  assert.equal((events.at(-1) as { ejectionMs: number }).ejectionMs, 900);
});

test('failure percentage ejects at the end of an interval, given enough calls', () => {
  const { outliers, events } = detector({
    consecutiveErrors: 0,
    failurePercentage: 40,
    minimumCalls: 10,
    intervalMs: 1_000,
    maxEjectedPercent: 50,
  });
  for (let i = 0; i < 10; i++) {
    if (i % 2 === 0) outliers.failure(A, transportError(), 100);
    else outliers.success(A);
    if (i < 9) outliers.failure(B, transportError(), 100);
  }
  for (let i = 0; i < 10; i++) i < 3 ? outliers.failure(C, transportError(), 100) : outliers.success(C);
  outliers.tick(999);
  assert.equal(outliers.size, 0, 'judged only when the interval ends');
  outliers.tick(1_000);
  assert.equal(outliers.has(A), true, '50 % of 10 calls');
  assert.equal(outliers.has(B), false, 'consecutiveErrors 0 is off, and 9 calls are too few to judge');
  assert.equal(outliers.has(C), false, '30 % is under 40 %');
  assert.deepEqual(
    events.map((event) => [event.kind, event.address, event.kind === 'ejected' ? event.reason : '']),
    [['ejected', A, 'failure-percentage']],
  );
});

test('never more than maxEjectedPercent of the servers out at once, but one may always be', () => {
  const { outliers } = detector({ consecutiveErrors: 1, maxEjectedPercent: 50 });
  for (const address of SERVERS) outliers.failure(address, transportError(), 0);
  assert.equal(outliers.size, 2, '50 % of 4');
  const one = detector({ consecutiveErrors: 1, maxEjectedPercent: 10 }).outliers;
  for (const address of SERVERS) one.failure(address, transportError(), 0);
  assert.equal(one.size, 1, '10 % of 4 rounds down to 0, and one is allowed');
  const none = detector({ consecutiveErrors: 1, maxEjectedPercent: 0 }).outliers;
  none.failure(A, transportError(), 0);
  assert.equal(none.size, 0);
});

test('only transport errors and timeouts count by default; remote errors when asked', () => {
  const remote = new RemoteError('Bench.Echo', 'boom');
  const { outliers } = detector({ consecutiveErrors: 2, maxEjectedPercent: 50 });
  for (let i = 0; i < 5; i++) outliers.failure(A, remote, i);
  assert.equal(outliers.has(A), false);
  assert.equal(outliers.counts(remote), false);
  assert.equal(outliers.counts(transportError()), true);
  assert.equal(outliers.counts(new CallTimeoutError('Bench.Echo', 5)), true);
  const counting = detector({ consecutiveErrors: 2, maxEjectedPercent: 50, countApplicationErrors: true });
  counting.outliers.failure(A, remote, 0);
  counting.outliers.failure(A, remote, 1);
  assert.equal(counting.outliers.has(A), true);
});

test('options are checked with messages that name them', () => {
  assert.throws(() => resolveOutlierDetection({ failurePercentage: 150 }), {
    code: 'ERR_INVALID_ARGUMENT',
    message: /outlierDetection\.failurePercentage must be an integer from 0 to 100, got 150/,
  });
  assert.throws(() => resolveOutlierDetection({ interval: 5 } as never), {
    code: 'ERR_INVALID_ARGUMENT',
    message: /outlierDetection\.interval is not an option/,
  });
});

for (const mode of [
  'random',
  'roundrobin',
  'weighted-roundrobin',
  'p2c',
  'peak-ewma',
  'consistent-hash',
] as SelectMode[]) {
  test(`${mode} never selects an ejected server, and selects it again once it returns`, () => {
    const discovery = new MultiServersDiscovery(SERVERS, { random: createSeededRandom(2) });
    const { outliers } = detector({ consecutiveErrors: 1, maxEjectedPercent: 50, baseEjectionMs: 100 });
    const hint = { ejected: outliers, inFlight: () => 0, cost: () => 1 };
    const picks = (n: number) =>
      Array.from({ length: n }, (_, i) => discovery.trySelect(mode, { ...hint, key: `key-${i}` })!);
    outliers.failure(B, transportError(), 0);
    assert.ok(!picks(400).includes(B));
    outliers.tick(100);
    assert.ok(picks(400).includes(B));
  });
}

test('end to end: an erroring server is ejected, gets no calls while out, and is called again once back', async () => {
  let failing = true;
  class Flaky {
    constructor(readonly flaky: boolean) {}
    Call(args: unknown): unknown {
      if (this.flaky && failing) throw new Error('injected');
      return args;
    }
  }
  const set = await startServers(3, (index) => [new Flaky(index === 0)]);
  const events: OutlierEvent[] = [];
  const xclient = new XClient(new MultiServersDiscovery(set.addresses), 'roundrobin', {
    outlierDetection: {
      consecutiveErrors: 3,
      countApplicationErrors: true,
      baseEjectionMs: 200,
      maxEjectedPercent: 34,
    },
    onOutlierEvent: (event) => events.push(event),
  });
  const callMany = async (n: number) => {
    let errors = 0;
    for (let i = 0; i < n; i++) await xclient.call('Flaky.Call', i).catch(() => errors++);
    return errors;
  };
  try {
    // Round robin sends every third call to the flaky server: its third failure ejects it.
    assert.equal(await callMany(9), 3);
    assert.deepEqual(
      events.map((event) => [event.kind, event.address]),
      [['ejected', set.addresses[0]]],
    );
    const before = set.counts('Flaky.Call');
    assert.equal(await callMany(30), 0);
    assert.equal(set.counts('Flaky.Call')[0], before[0], 'no call reached the ejected server');
    failing = false;
    await waitFor(() => events.length === 2, 'the server to return');
    assert.deepEqual(events[1], { kind: 'returned', address: set.addresses[0], atMs: events[1]!.atMs });
    assert.equal(await callMany(30), 0);
    assert.equal(set.counts('Flaky.Call')[0], before[0]! + 10, 'back in the rotation: a third of the calls');
  } finally {
    await xclient.close();
    await set.close();
  }
});
