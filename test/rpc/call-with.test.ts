import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { ReplyHandler } from '../../src/rpc/client.ts';
import { dial } from '../../src/rpc/dial.ts';
import { isRpcError } from '../../src/util/errors.ts';
import { dialFor, startServer } from '../fixtures/rpc-server.ts';
import { GateControl } from '../fixtures/rpc-services.ts';

interface Delivery {
  context: number;
  reply?: unknown;
  error?: Error;
  /** callWith() had returned when it came. */
  afterReturn: boolean;
}

/** A handler that records every delivery, and whether its callWith() had returned by then. */
function recordingHandler(): {
  handler: ReplyHandler<number>;
  deliveries: Delivery[];
  returned: Set<number>;
} {
  const deliveries: Delivery[] = [];
  const returned = new Set<number>();
  return {
    deliveries,
    returned,
    handler: {
      onReply: (reply, context) => deliveries.push({ context, reply, afterReturn: returned.has(context) }),
      onError: (error, context) => deliveries.push({ context, error, afterReturn: returned.has(context) }),
    },
  };
}

/** Each delivery's error code, by the context of its call. */
function errorCodesByContext(deliveries: Delivery[]): Record<number, string | undefined> {
  return Object.fromEntries(
    deliveries.map((delivery) => [delivery.context, (delivery.error as { code?: string } | undefined)?.code]),
  );
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 2));
}

test('callWith hands each reply to the handler with its own context, once, after callWith returned', async (t) => {
  const { address } = await startServer(t);
  const client = await dialFor(t, address);
  const { handler, deliveries, returned } = recordingHandler();
  for (let i = 0; i < 200; i++) {
    client.callWith('Foo.Sum', { Num1: i, Num2: 1 }, undefined, handler, i);
    returned.add(i);
  }
  client.callWith('Foo.Missing', { Num1: 0, Num2: 0 }, undefined, handler, 200);
  returned.add(200);
  await until(() => deliveries.length === 201);
  const byContext = new Map(deliveries.map((delivery) => [delivery.context, delivery]));
  assert.equal(byContext.size, 201, 'one delivery per call');
  for (let i = 0; i < 200; i++) assert.equal(byContext.get(i)!.reply, i + 1);
  assert.ok(isRpcError(byContext.get(200)!.error, 'ERR_REMOTE'));
  assert.ok(deliveries.every((delivery) => delivery.afterReturn));
  assert.equal(client.pendingCalls, 0);
});

test('callWith fails a call it cannot send through onError, never before returning', async (t) => {
  const { address } = await startServer(t);
  const client = await dial(address);
  const { handler, deliveries, returned } = recordingHandler();
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  client.callWith('Foo.Sum', cyclic, undefined, handler, 1);
  returned.add(1);
  client.callWith('Foo.Sum', { Num1: 1, Num2: 1 }, { signal: AbortSignal.abort() }, handler, 2);
  returned.add(2);
  await client.close();
  client.callWith('Foo.Sum', { Num1: 1, Num2: 1 }, undefined, handler, 3);
  returned.add(3);
  await until(() => deliveries.length === 3);
  assert.deepEqual(errorCodesByContext(deliveries), {
    1: 'ERR_ENCODE',
    2: 'ERR_CALL_ABORTED',
    3: 'ERR_CLIENT_CLOSED',
  });
  assert.ok(deliveries.every((delivery) => delivery.afterReturn));
  void t;
});

test('callWith times out, aborts and fails calls on close like call() does', async (t) => {
  const { server, address } = await startServer(t);
  const gate = new GateControl();
  server.register(gate.service, { name: 'Gate' });
  const client = await dial(address);
  const { handler, deliveries, returned } = recordingHandler();
  const controller = new AbortController();
  client.callWith('Gate.Hold', { id: 'timed' }, { timeoutMs: 30 }, handler, 1);
  client.callWith('Gate.Hold', { id: 'aborted' }, { signal: controller.signal }, handler, 2);
  client.callWith('Gate.Hold', { id: 'closed' }, undefined, handler, 3);
  for (const context of [1, 2, 3]) returned.add(context);
  await Promise.all(['timed', 'aborted', 'closed'].map((id) => gate.whenHeld(id)));
  controller.abort();
  await until(() => deliveries.length === 2);
  await client.close();
  await until(() => deliveries.length === 3);
  assert.deepEqual(errorCodesByContext(deliveries), {
    1: 'ERR_CALL_TIMEOUT',
    2: 'ERR_CALL_ABORTED',
    3: 'ERR_CONN_CLOSED',
  });
});

test('a handler that closes the client: every call still ends exactly once, answered or ERR_CONN_CLOSED', async (t) => {
  const { address } = await startServer(t);
  const client = await dial(address);
  const deliveries: Delivery[] = [];
  const handler: ReplyHandler<number> = {
    onReply: (reply, context) => {
      deliveries.push({ context, reply, afterReturn: true });
      // The first reply closes the connection, most likely with more of its chunk read and the rest unsent.
      if (deliveries.length === 1) void client.close();
    },
    onError: (error, context) => deliveries.push({ context, error, afterReturn: true }),
  };
  for (let i = 0; i < 2000; i++) client.callWith('Foo.Sum', { Num1: i, Num2: 1 }, undefined, handler, i);
  await until(() => deliveries.length === 2000);
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(deliveries.length, 2000, 'no call is delivered twice');
  assert.equal(new Set(deliveries.map((delivery) => delivery.context)).size, 2000);
  for (const delivery of deliveries) {
    if (delivery.error === undefined) assert.equal(delivery.reply, delivery.context + 1);
    else assert.ok(isRpcError(delivery.error, 'ERR_CONN_CLOSED'), String(delivery.error));
  }
  assert.ok(
    deliveries.some((delivery) => delivery.error !== undefined),
    'the close failed the calls still unanswered',
  );
  void t;
});

test('a handler that throws: the error surfaces uncaught, the connection and the other calls carry on', () => {
  const dialUrl = new URL('../../src/rpc/dial.ts', import.meta.url).href;
  const serverUrl = new URL('../../src/rpc/server/server.ts', import.meta.url).href;
  const script = `
    import { dial } from ${JSON.stringify(dialUrl)};
    import { Server } from ${JSON.stringify(serverUrl)};
    const server = new Server();
    server.register({ Echo: (args) => args }, { name: 'Bench' });
    const address = await server.listen('tcp@127.0.0.1:0');
    const client = await dial(address);
    const uncaught = [];
    process.on('uncaughtException', (error) => uncaught.push(error.message));
    const replies = [];
    const handler = {
      onReply: (reply) => { replies.push(reply); if (reply === 2) throw new Error('handler bug'); },
      onError: (error) => replies.push(error.code),
    };
    for (let i = 1; i <= 4; i++) client.callWith('Bench.Echo', i, undefined, handler, i);
    while (replies.length < 4) await new Promise((resolve) => setTimeout(resolve, 2));
    const after = await client.call('Bench.Echo', 'after');
    console.log(JSON.stringify({ replies, uncaught, after, available: client.isAvailable() }));
    await client.close();
    await server.close();
  `;
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: fileURLToPath(new URL('../..', import.meta.url)),
    encoding: 'utf8',
    timeout: 30_000,
  });
  assert.equal(child.status, 0, child.stderr);
  assert.deepEqual(JSON.parse(child.stdout.trim()), {
    replies: [1, 2, 3, 4],
    uncaught: ['handler bug'],
    after: 'after',
    available: true,
  });
});
