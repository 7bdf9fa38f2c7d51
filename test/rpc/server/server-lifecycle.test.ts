import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { dial } from '../../../src/rpc/dial.ts';
import { RemoteError } from '../../../src/rpc/errors.ts';
import { Bench, Foo } from '../../../src/rpc/server/builtin-services.ts';
import { Server } from '../../../src/rpc/server/server.ts';
import { isRpcError } from '../../../src/util/errors.ts';
import { LogCapture } from '../../fixtures/rpc-log.ts';
import { dialFor, HANG_LIMIT, portOf, startServer, unixSocketAddress } from '../../fixtures/rpc-server.ts';
import { GateControl } from '../../fixtures/rpc-services.ts';

test(
  'listen() resolves the bound address, port 0 included, for tcp, unix and http on one server',
  HANG_LIMIT,
  async (t) => {
    const { server, address: tcp } = await startServer(t);
    const unixAddress = unixSocketAddress(t);
    const unix = await server.listen(unixAddress);
    const http = await server.listen('http@127.0.0.1:0');
    assert.match(tcp, /^tcp@127\.0\.0\.1:\d+$/);
    assert.notEqual(portOf(tcp), 0);
    assert.equal(unix, unixAddress);
    assert.match(http, /^http@127\.0\.0\.1:\d+$/);
    assert.notEqual(portOf(http), 0);
    for (const address of [tcp, unix, http]) {
      const client = await dialFor(t, address);
      assert.equal(await client.call('Foo.Sum', { Num1: 1, Num2: 2 }), 3, address);
    }
  },
);

test('services() counts the calls of every method', HANG_LIMIT, async (t) => {
  const { server, address } = await startServer(t);
  const client = await dialFor(t, address);
  await Promise.all([1, 2, 3].map((n) => client.call('Foo.Sum', { Num1: n, Num2: n })));
  await client.call('Bench.Echo', 'x');
  await client.call('Foo.Nope', null).catch(() => {});
  assert.deepEqual(server.services(), [
    {
      name: 'Foo',
      methods: [
        { name: 'Sum', calls: 3 },
        { name: 'Sleep', calls: 0 },
      ],
    },
    { name: 'Bench', methods: [{ name: 'Echo', calls: 1 }] },
  ]);
});

test('a call answered later does not hold back the calls after it', HANG_LIMIT, async (t) => {
  const { server, address } = await startServer(t);
  const gate = new GateControl();
  server.register(gate.service, { name: 'Gate' });
  const client = await dialFor(t, address);
  const order: string[] = [];
  const slow = client.call('Gate.Hold', { id: 'first' }).then((reply) => order.push(String(reply)));
  await gate.whenHeld('first');
  assert.equal(server.inFlight, 1);
  await client.call('Foo.Sum', { Num1: 1, Num2: 1 }).then((reply) => order.push(String(reply)));
  gate.release('first', 'slow one');
  await slow;
  assert.deepEqual(order, ['2', 'slow one']);
});

test(
  'close() stops accepting, refuses new calls, lets a running call finish, then resolves',
  HANG_LIMIT,
  async (t) => {
    const logs = new LogCapture();
    const server = new Server({ log: logs.log }).register(new Foo());
    t.after(() => server.destroy());
    const gate = new GateControl();
    server.register(gate.service, { name: 'Gate' });
    const unixAddress = unixSocketAddress(t);
    const address = await server.listen();
    await server.listen(unixAddress);
    const busy = await dialFor(t, address);
    const idle = await dialFor(t, address);
    const events: string[] = [];
    const slow = busy.call('Gate.Hold', { id: 'slow' }).then((reply) => events.push(`reply: ${reply}`));
    await gate.whenHeld('slow');

    const closed = server.close().then(() => events.push('closed'));
    // A second close() shares the first one's outcome.
    const closedAgain = server.close();
    const refused = await busy.call('Foo.Sum', { Num1: 1, Num2: 2 }).catch((e: unknown) => e);
    assert.ok(refused instanceof RemoteError);
    assert.equal(refused.message, 'rpc server: server is shutting down');
    await assert.rejects(dial(address, { connectTimeoutMs: 5000 }), { code: 'ERR_DIAL_FAILED' });
    assert.deepEqual(events, [], 'close() waits for the running call');

    gate.release('slow', 'finished');
    await Promise.all([slow, closed, closedAgain]);
    assert.deepEqual(events, ['reply: finished', 'closed']);
    assert.equal(existsSync(unixAddress.slice('unix@'.length)), false, 'the unix socket file is removed');
    await new Promise((resolve) => idle.onClose(resolve));
    assert.equal(idle.isAvailable(), false, 'idle connections are ended');
    await assert.rejects(server.listen(), { code: 'ERR_INVALID_ARGUMENT' });
    assert.deepEqual(logs.lines, []);
  },
);

test('close() with only idle connections resolves without any call', HANG_LIMIT, async (t) => {
  const { server, address } = await startServer(t);
  const clients = await Promise.all([dialFor(t, address), dialFor(t, address)]);
  await clients[0]!.call('Foo.Sum', { Num1: 1, Num2: 1 });
  await server.close();
  await Promise.all(clients.map((client) => new Promise((resolve) => client.onClose(resolve))));
  assert.deepEqual(
    clients.map((client) => client.isAvailable()),
    [false, false],
  );
});

test(
  'destroy() drops every connection at once: pending calls fail and handlers are aborted',
  HANG_LIMIT,
  async (t) => {
    const server = new Server({ log: () => {} }).register(new Bench());
    const gate = new GateControl();
    server.register(gate.service, { name: 'Gate' });
    const address = await server.listen();
    const client = await dialFor(t, address);
    const calls = ['a', 'b', 'c'].map((id) => client.call('Gate.Hold', { id }).catch((e: unknown) => e));
    await Promise.all(['a', 'b', 'c'].map((id) => gate.whenHeld(id)));
    await server.destroy();
    for (const outcome of await Promise.all(calls)) assert.ok(isRpcError(outcome, 'ERR_CONN_CLOSED'));
    for (const id of ['a', 'b', 'c']) assert.ok(isRpcError(await gate.whenAborted(id), 'ERR_CONN_CLOSED'));
    assert.equal(client.isAvailable(), false);
    assert.equal(server.inFlight, 0);
  },
);
