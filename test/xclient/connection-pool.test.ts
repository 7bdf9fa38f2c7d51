import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Client, ClientOptions } from '../../src/rpc/client.ts';
import { dial } from '../../src/rpc/dial.ts';
import { Bench, Foo } from '../../src/rpc/server/builtin-services.ts';
import { Server } from '../../src/rpc/server/server.ts';
import { MultiServersDiscovery } from '../../src/xclient/discovery/multi-servers-discovery.ts';
import { XClient } from '../../src/xclient/xclient.ts';
import { listenCounting } from '../fixtures/counting-listener.ts';
import { waitFor } from '../fixtures/servers.ts';

async function countingServer() {
  const server = new Server({ log: () => {} }).register(new Foo()).register(new Bench());
  const listener = await listenCounting(server);
  return {
    server,
    listener,
    async close() {
      await server.destroy();
      await listener.close();
    },
  };
}

test('concurrent calls to a new address share one dial', async () => {
  const target = await countingServer();
  const xclient = new XClient(new MultiServersDiscovery([target.listener.address]), 'random');
  try {
    const replies = await Promise.all(Array.from({ length: 10 }, (_, i) => xclient.call('Bench.Echo', i)));
    assert.deepEqual(replies, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.equal(target.listener.accepted, 1);
    assert.equal(xclient.stats().dials, 1);
    await xclient.call('Bench.Echo', 'again');
    assert.equal(target.listener.accepted, 1, 'the cached client is reused');
  } finally {
    await xclient.close();
    await target.close();
  }
});

test('a client no longer available is closed and re-dialed on next use', async () => {
  const target = await countingServer();
  const clients: Client[] = [];
  const recordingDial = async (address: string, options: ClientOptions) => {
    const client = await dial(address, options);
    clients.push(client);
    return client;
  };
  const xclient = new XClient(new MultiServersDiscovery([target.listener.address]), 'random', {
    dial: recordingDial,
  });
  try {
    await xclient.call('Bench.Echo', 1);
    await clients[0]!.close();
    assert.equal(await xclient.call('Bench.Echo', 2), 2);
    assert.equal(clients.length, 2);
    assert.equal(target.listener.accepted, 2);
    await waitFor(() => target.listener.open === 1, 'the old connection to close');
  } finally {
    await xclient.close();
    await target.close();
  }
});

test('the XClient options reach every dialed client', async () => {
  const target = await countingServer();
  const seen: ClientOptions[] = [];
  const xclient = new XClient(new MultiServersDiscovery([target.listener.address]), 'random', {
    codec: 'application/json',
    callTimeoutMs: 100,
    handleTimeoutMs: 5000,
    dial: (address, options) => {
      seen.push(options);
      return dial(address, options);
    },
  });
  try {
    assert.deepEqual(await xclient.call('Bench.Echo', { a: [1, 2] }), { a: [1, 2] });
    assert.equal(seen[0]!.codec, 'application/json');
    assert.equal(seen[0]!.handleTimeoutMs, 5000);
    // callTimeoutMs is applied by the client itself: a call slower than it times out.
    await assert.rejects(xclient.call('Foo.Sleep', { Num1: 5, Num2: 0 }), { code: 'ERR_CALL_TIMEOUT' });
  } finally {
    await xclient.close();
    await target.close();
  }
  const again = await countingServer();
  const xclient2 = new XClient(new MultiServersDiscovery([again.listener.address]), 'random', {
    handleTimeoutMs: 50,
  });
  try {
    // handleTimeoutMs travels in the handshake: the server gives up on the call.
    await assert.rejects(xclient2.call('Foo.Sleep', { Num1: 5, Num2: 0 }), {
      code: 'ERR_REMOTE',
      message: /handle timeout/,
    });
  } finally {
    await xclient2.close();
    await again.close();
  }
});

test('reuseClients: false dials, calls and closes for every call', async () => {
  const target = await countingServer();
  const xclient = new XClient(new MultiServersDiscovery([target.listener.address]), 'random', {
    reuseClients: false,
  });
  try {
    for (let i = 0; i < 5; i++) assert.equal(await xclient.call('Bench.Echo', i), i);
    await Promise.all(Array.from({ length: 5 }, (_, i) => xclient.call('Bench.Echo', i)));
    assert.equal(target.listener.accepted, 10);
    assert.equal(xclient.stats().dials, 10);
    await waitFor(() => target.listener.open === 0, 'every per-call connection to close');
  } finally {
    await xclient.close();
    await target.close();
  }
});
