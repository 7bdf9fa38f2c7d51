import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isTransportError } from '../../src/rpc/errors.ts';
import { Bench, Foo } from '../../src/rpc/server/builtin-services.ts';
import { Server } from '../../src/rpc/server/server.ts';
import { MultiServersDiscovery } from '../../src/xclient/discovery/multi-servers-discovery.ts';
import { addressOf } from '../../src/xclient/errors.ts';
import { XClient } from '../../src/xclient/xclient.ts';
import { createGate } from '../fixtures/gate.ts';
import { callCount, startServers, waitFor } from '../fixtures/servers.ts';

function restart(address: string): Promise<Server> {
  const server = new Server({ log: () => {} }).register(new Foo()).register(new Bench());
  return server.listen(address).then(() => server);
}

test('a server killed and restarted on its port: failover hides it, failfast reports it, nothing hangs', async () => {
  const set = await startServers(3);
  const gate = createGate();
  set.servers[1]!.register(gate.service, { name: 'Gate' });
  const victim = set.addresses[1]!;
  const discovery = new MultiServersDiscovery(set.addresses);
  const failover = new XClient(discovery, 'roundrobin', { failMode: 'failover', retries: 2 });
  const failfast = new XClient(discovery, 'roundrobin');
  let restarted: Server | undefined;
  try {
    await Promise.all(Array.from({ length: 6 }, (_, i) => failover.call('Bench.Echo', i)));
    await Promise.all(Array.from({ length: 6 }, (_, i) => failfast.call('Bench.Echo', i)));
    const dialsBefore = failover.stats().dials;
    assert.equal(dialsBefore, 3);

    // Calls in flight on the victim when it dies: failfast rejects them with a typed transport error.
    const held = Array.from({ length: 3 }, () =>
      failfast.callDetailed('Gate.Wait', null).then(
        () => assert.fail('the call should not succeed'),
        (error: unknown) => error,
      ),
    );
    await waitFor(() => gate.waiting > 0, 'a call to reach the victim');
    await set.servers[1]!.destroy();
    const errors = (await Promise.all(held)).filter((e) => addressOf(e) === victim);
    assert.ok(errors.length > 0);
    for (const error of errors)
      assert.ok(isTransportError(error), `typed transport error, got ${String(error)}`);

    // While it is down: every failover call succeeds elsewhere; failfast calls to it fail, typed.
    const outcomes = await Promise.all(
      Array.from({ length: 30 }, (_, i) => failover.callDetailed('Bench.Echo', i)),
    );
    assert.ok(outcomes.every((o) => o.address !== victim));
    assert.ok(
      outcomes.some((o) => o.attempts > 1),
      'some calls were retried on another server',
    );
    const settled = await Promise.allSettled(
      Array.from({ length: 30 }, (_, i) => failfast.call('Bench.Echo', i)),
    );
    const rejected = settled.filter((s) => s.status === 'rejected').map((s) => s.reason as unknown);
    assert.equal(rejected.length, 10, 'a third of round robin calls go to the dead server');
    for (const error of rejected) {
      assert.ok(isTransportError(error));
      assert.equal(addressOf(error), victim);
    }

    restarted = await restart(victim);
    await Promise.all(Array.from({ length: 30 }, (_, i) => failover.call('Bench.Echo', i)));
    await Promise.all(Array.from({ length: 30 }, (_, i) => failfast.call('Bench.Echo', i)));
    assert.equal(callCount(restarted), 20, 'the restarted server is back in rotation for both clients');
    assert.ok(failover.stats().dials > dialsBefore, 'the stale client was replaced by a new dial');
    assert.equal(failover.stats().inFlight, 0);
    assert.equal(failfast.stats().inFlight, 0);
  } finally {
    gate.open();
    await failover.close();
    await failfast.close();
    await restarted?.destroy();
    await set.close();
  }
});

test('failtry retries the same server, re-dialing, at most retries more times', async () => {
  const set = await startServers(1);
  const address = set.addresses[0]!;
  await set.close();
  const xclient = new XClient(new MultiServersDiscovery([address]), 'random', {
    failMode: 'failtry',
    retries: 2,
  });
  try {
    await assert.rejects(xclient.call('Bench.Echo', 1), (error: unknown) => {
      assert.ok(isTransportError(error));
      assert.equal(addressOf(error), address);
      return true;
    });
    assert.equal(xclient.stats().dials, 3);

    const server = await restart(address);
    const { endMs, ...outcome } = await xclient.callDetailed('Bench.Echo', 'back');
    assert.deepEqual(outcome, { reply: 'back', address, attempts: 1 });
    assert.ok(endMs <= performance.now());
    await server.destroy();
  } finally {
    await xclient.close();
  }
});

test('application errors and timeouts are never retried', async () => {
  const set = await startServers(3);
  for (const server of set.servers) {
    server.register(
      {
        Fail: () => {
          throw new Error('bad input');
        },
      },
      { name: 'App' },
    );
  }
  const xclient = new XClient(new MultiServersDiscovery(set.addresses), 'roundrobin', {
    failMode: 'failover',
  });
  try {
    await assert.rejects(xclient.call('App.Fail', null), { code: 'ERR_REMOTE', message: 'bad input' });
    assert.deepEqual(
      set.counts('App.Fail').reduce((a, b) => a + b, 0),
      1,
    );
    await assert.rejects(xclient.call('Foo.Sleep', { Num1: 5, Num2: 0 }, { timeoutMs: 20 }), {
      code: 'ERR_CALL_TIMEOUT',
    });
    assert.equal(
      set.counts('Foo.Sleep').reduce((a, b) => a + b, 0),
      1,
    );
  } finally {
    await xclient.close();
    await set.close();
  }
});
