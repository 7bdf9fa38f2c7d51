import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CallContext } from '../../src/rpc/server/service.ts';
import { isRpcError } from '../../src/util/errors.ts';
import { MultiServersDiscovery } from '../../src/xclient/discovery/multi-servers-discovery.ts';
import { addressOf } from '../../src/xclient/errors.ts';
import { XClient } from '../../src/xclient/xclient.ts';
import { createGate, type Gate } from '../fixtures/gate.ts';
import { startServers, waitFor } from '../fixtures/servers.ts';

/**
 * Server i answers `Who.Am` with i. On the servers listed in `failing`, `Who.Fail` and `Who.FailOrWait`
 * throw at once; elsewhere `Who.Fail` answers i and `Who.FailOrWait` waits at the server's gate.
 */
function whoService(index: number, failing: readonly number[], gate: Gate) {
  const fails = failing.includes(index);
  return {
    Am: () => index,
    Fail: () => {
      if (fails) throw new Error(`boom from ${index}`);
      return index;
    },
    FailOrWait: (args: unknown, ctx: CallContext) =>
      fails ? Promise.reject(new Error(`boom from ${index}`)) : gate.service.Wait(args, ctx),
  };
}

async function setUp(failing: readonly number[] = []) {
  const gates: Gate[] = [createGate(), createGate(), createGate()];
  const set = await startServers(3);
  for (const [i, server] of set.servers.entries()) {
    server
      .register(whoService(i, failing, gates[i]!), { name: 'Who' })
      .register(gates[i]!.service, { name: 'Gate' });
  }
  const xclient = new XClient(new MultiServersDiscovery(set.addresses), 'roundrobin');
  return {
    set,
    gates,
    xclient,
    async close() {
      for (const gate of gates) gate.open();
      await xclient.close();
      await set.close();
    },
  };
}

test('broadcast returns one successful reply when every server succeeds', async () => {
  const env = await setUp();
  try {
    const reply = await env.xclient.broadcast<number>('Who.Am', null);
    assert.ok([0, 1, 2].includes(reply));
    assert.deepEqual(env.set.counts('Who.Am'), [1, 1, 1]);
  } finally {
    await env.close();
  }
});

test('the first failure aborts the slow calls, on their servers too, and is the rejection', {
  timeout: 30_000,
}, async () => {
  const env = await setUp([1]);
  try {
    // Keep a connection to every server so that the broadcast reuses them.
    await env.xclient.broadcast('Who.Am', null);
    // Servers 0 and 2 hold the call until it is aborted; server 1 fails at once.
    const error = await env.xclient.broadcast('Who.FailOrWait', null).then(
      () => assert.fail('broadcast should reject'),
      (e: unknown) => e,
    );
    assert.ok(isRpcError(error, 'ERR_REMOTE'), `got ${String(error)}`);
    assert.equal((error as Error).message, 'boom from 1');
    assert.equal(addressOf(error), env.set.addresses[1]);
    await waitFor(
      () => env.gates[0]!.aborted === 1 && env.gates[2]!.aborted === 1,
      'the slow handlers to see their ctx.signal fire',
    );
    assert.equal(env.xclient.stats().inFlight, 0);
    // The connections closed to cancel are re-dialed on the next use.
    assert.ok([0, 1, 2].includes(await env.xclient.broadcast<number>('Who.Am', null)));
  } finally {
    await env.close();
  }
});

test('broadcastAll reports every server, failures included, and does not reject', async () => {
  const env = await setUp([0, 2]);
  try {
    const outcomes = await env.xclient.broadcastAll<number>('Who.Fail', null);
    assert.deepEqual(
      outcomes.map((o) => o.address),
      env.set.addresses,
    );
    assert.equal(outcomes[1]!.reply, 1);
    assert.equal(outcomes[1]!.error, undefined);
    for (const i of [0, 2]) {
      assert.ok(isRpcError(outcomes[i]!.error, 'ERR_REMOTE'));
      assert.equal(outcomes[i]!.error!.message, `boom from ${i}`);
      assert.equal(addressOf(outcomes[i]!.error), env.set.addresses[i]);
    }
    for (const outcome of outcomes) assert.ok(outcome.latencyMs >= 0);
  } finally {
    await env.close();
  }
});

test("the caller's signal aborts a broadcast", async () => {
  const env = await setUp();
  try {
    const controller = new AbortController();
    const pending = env.xclient.broadcast('Gate.Wait', null, { signal: controller.signal });
    await waitFor(() => env.gates.every((g) => g.waiting === 1), 'the calls to reach the servers');
    controller.abort();
    await assert.rejects(pending, { code: 'ERR_CALL_ABORTED' });
    await waitFor(() => env.gates.every((g) => g.aborted === 1), 'the handlers to be aborted');
  } finally {
    await env.close();
  }
});

test('broadcast with no servers rejects with ERR_NO_SERVERS', async () => {
  const xclient = new XClient(new MultiServersDiscovery([]), 'random');
  await assert.rejects(xclient.broadcast('Who.Am', null), { code: 'ERR_NO_SERVERS' });
  await assert.rejects(xclient.broadcastAll('Who.Am', null), { code: 'ERR_NO_SERVERS' });
  await xclient.close();
});
