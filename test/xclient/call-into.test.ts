import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MultiServersDiscovery } from '../../src/xclient/discovery/multi-servers-discovery.ts';
import { addressOf } from '../../src/xclient/errors.ts';
import { type CallOutcome, type CallReceiver, XClient } from '../../src/xclient/xclient.ts';
import { startServers } from '../fixtures/servers.ts';

/** A receiver that keeps what it was handed, and whether callInto() had returned by then. */
function recordingReceiver() {
  const outcome: CallOutcome<unknown> = { reply: undefined, address: '', attempts: 0, endMs: 0 };
  const ends: {
    outcome?: CallOutcome<unknown>;
    copy?: CallOutcome<unknown>;
    error?: unknown;
    afterReturn: boolean;
  }[] = [];
  let returned = false;
  let settle: () => void = () => {};
  const receiver: CallReceiver = {
    outcome,
    answered: (given) => {
      ends.push({ outcome: given, copy: { ...given }, afterReturn: returned });
      settle();
    },
    failed: (error) => {
      ends.push({ error, afterReturn: returned });
      settle();
    },
  };
  /** Runs `call` and waits for its one end. */
  const next = (call: () => void) => {
    returned = false;
    const ended = new Promise<void>((resolve) => {
      settle = resolve;
    });
    call();
    returned = true;
    return ended;
  };
  return { receiver, outcome, ends, next };
}

test("callInto fills the receiver's own outcome for every call, on the open connection and on the first dial", async () => {
  const set = await startServers(2);
  const discovery = new MultiServersDiscovery(set.addresses);
  const xclient = new XClient(discovery, 'roundrobin');
  const { receiver, outcome, ends, next } = recordingReceiver();
  try {
    for (let i = 0; i < 4; i++) {
      const startMs = performance.now();
      await next(() => xclient.callInto('Bench.Echo', `call ${i}`, undefined, startMs, receiver));
      const end = ends.at(-1)!;
      assert.equal(end.outcome, outcome, 'the same object every time');
      assert.equal(end.copy!.reply, `call ${i}`);
      // Round robin starts at a random server, then alternates.
      const previous = ends.at(-2)?.copy?.address;
      if (previous !== undefined) assert.notEqual(end.copy!.address, previous, 'round robin');
      assert.ok(set.addresses.includes(end.copy!.address));
      assert.equal(end.copy!.attempts, 1);
      assert.ok(end.copy!.endMs >= startMs);
    }
    assert.ok(
      ends.every((end) => end.afterReturn),
      'delivered after callInto returned, dial or not',
    );
    assert.equal(xclient.stats().dials, 2);
  } finally {
    await xclient.close();
    await discovery.close();
    await set.close();
  }
});

test('callInto delivers a failure: the fail mode retries first, a closed XClient fails later, never during the call', async () => {
  const set = await startServers(2);
  const discovery = new MultiServersDiscovery(set.addresses);
  const failover = new XClient(discovery, 'roundrobin', { failMode: 'failover', retries: 1 });
  const failfast = new XClient(discovery, 'roundrobin');
  const { receiver, ends, next } = recordingReceiver();
  try {
    // Both connections open, then one server gone: failover answers from the other.
    for (let i = 0; i < 2; i++)
      await next(() => failover.callInto('Bench.Echo', i, undefined, undefined, receiver));
    for (let i = 0; i < 2; i++)
      await next(() => failfast.callInto('Bench.Echo', i, undefined, undefined, receiver));
    const victim = set.addresses[0]!;
    await set.servers[0]!.destroy();
    const retried = await Promise.all([0, 1].map(() => failover.callDetailed('Bench.Echo', 'warm')));
    assert.ok(retried.every((one) => one.address !== victim));
    ends.length = 0;
    for (let i = 0; i < 4; i++)
      await next(() => failover.callInto('Bench.Echo', i, undefined, undefined, receiver));
    assert.ok(
      ends.every((end) => end.error === undefined && end.copy!.address !== victim),
      'failover hides the loss',
    );
    ends.length = 0;
    for (let i = 0; i < 2; i++)
      await next(() => failfast.callInto('Bench.Echo', i, undefined, undefined, receiver));
    const failed = ends.filter((end) => end.error !== undefined);
    assert.equal(failed.length, 1, 'failfast: the call on the lost server fails, the other answers');
    assert.equal(addressOf(failed[0]!.error), victim);
    await failfast.close();
    ends.length = 0;
    await next(() => failfast.callInto('Bench.Echo', 1, undefined, undefined, receiver));
    assert.match(String(ends[0]!.error), /closed/);
    assert.ok(
      ends.every((end) => end.afterReturn),
      'every end after callInto returned',
    );
  } finally {
    await failover.close();
    await failfast.close().catch(() => undefined);
    await discovery.close();
    await set.close();
  }
});
