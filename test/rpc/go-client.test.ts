// GeeRPC's own Go client (go-peer/) against rpcbench's server; single calls, errors
// and escapes are in rpc-json-go-compat.test.ts.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { buildGoPeer } from '../../src/benchmarks/go-peer/build.ts';
import { runGoClient } from '../../src/benchmarks/go-peer/go-peer.ts';
import { Bench, Foo } from '../../src/rpc/server/builtin-services.ts';
import { Server } from '../../src/rpc/server/server.ts';
import { listenCounting } from '../fixtures/counting-listener.ts';
import { startServer } from '../fixtures/rpc-server.ts';
import { callCount, startServers } from '../fixtures/servers.ts';

const SUM = { method: 'Foo.Sum', args: { Num1: 1, Num2: 2 } };
const CODECS = ['gob', 'json'] as const;
const TRANSPORTS_BY_CODECS = (['tcp', 'http'] as const).flatMap((transport) =>
  CODECS.map((codec) => [transport, codec] as const),
);

before(() => buildGoPeer(), { timeout: 300_000 });

for (const [transport, codec] of TRANSPORTS_BY_CODECS) {
  test(`1,000 concurrent Go ${codec} calls over ${transport}@ each get their own sum`, async (t) => {
    const { server, address } = await startServer(t, {}, `${transport}@127.0.0.1:0`);
    const summary = await runGoClient({
      addresses: [address],
      codec,
      settleMs: 5,
      calls: [SUM],
      n: 1000,
      concurrency: 1000,
      vary: true,
      check: true,
    });
    assert.deepEqual(summary.errors, {}, summary.mismatch);
    assert.equal(summary.ok, 1000);
    assert.equal(summary.dials, 1, 'one connection carries every call');
    assert.deepEqual(summary.replies, [3, 4, 5, 6, 7]);
    assert.equal(callCount(server, 'Foo.Sum'), 1000);
  });
}

for (const codec of CODECS) {
  test(`an unknown method or service answers the Go ${codec} client in GeeRPC wording, and the connection goes on`, async (t) => {
    const server = new Server({ log: () => {} }).register(new Foo()).register(new Bench());
    const listener = await listenCounting(server);
    t.after(async () => {
      await listener.close();
      await server.destroy();
    });
    const summary = await runGoClient({
      addresses: [listener.address],
      codec,
      settleMs: 5,
      calls: [
        { method: 'Foo.Nope', args: { Num1: 1, Num2: 2 } },
        { method: 'Nope.Sum', args: { Num1: 1, Num2: 2 } },
        SUM,
      ],
      n: 3,
    });
    assert.deepEqual(summary.results, [
      { error: "rpc server: can't find method Nope" },
      { error: "rpc server: can't find service Nope" },
      { reply: 3 },
    ]);
    assert.equal(summary.dials, 1);
    assert.equal(listener.accepted, 1);
  });
}

for (const codec of CODECS) {
  test(`a Go ${codec} XClient broadcast reaches every one of three rpcbench servers`, async (t) => {
    const set = await startServers(3);
    t.after(() => set.close());
    const summary = await runGoClient({
      addresses: set.addresses,
      codec,
      settleMs: 5,
      broadcast: true,
      calls: [SUM],
      n: 10,
      concurrency: 2,
    });
    assert.deepEqual(summary.errors, {});
    assert.equal(summary.ok, 10);
    assert.deepEqual(summary.replies, [3, 3, 3, 3, 3]);
    assert.deepEqual(set.counts('Foo.Sum'), [10, 10, 10]);
    assert.equal(summary.dials, 3);
  });
}

test('a Go broadcast fails with the first error when one server is down', async (t) => {
  const set = await startServers(2);
  t.after(() => set.close());
  const down = 'tcp@127.0.0.1:1';
  const summary = await runGoClient({
    addresses: [...set.addresses, down],
    codec: 'gob',
    settleMs: 5,
    broadcast: true,
    calls: [SUM],
  });
  assert.equal(summary.failed, 1);
  assert.match(summary.results[0]!.error!, /dial tcp 127\.0\.0\.1:1: connect: connection refused/);
});

for (const [transport, codec] of TRANSPORTS_BY_CODECS) {
  test(`without -settle, as GeeRPC writes, rpcbench loses no first ${codec} call on 200 fresh ${transport}@ connections`, async (t) => {
    // The same client loses most first calls against GeeRPC's own server (see go-peer-server.test.ts).
    const { server, address } = await startServer(t, {}, `${transport}@127.0.0.1:0`);
    const summary = await runGoClient({
      addresses: [address],
      codec,
      settleMs: 0,
      fresh: 200,
      concurrency: 20,
      timeoutMs: 5000,
      vary: true,
      check: true,
    });
    assert.deepEqual(summary.errors, {});
    assert.equal(summary.ok, 200);
    assert.equal(summary.dials, 200);
    assert.equal(callCount(server, 'Foo.Sum'), 200);
  });
}
