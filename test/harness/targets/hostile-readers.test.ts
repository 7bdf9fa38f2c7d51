import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createTcpServer, type Socket } from 'node:net';
import { type TestContext, test } from 'node:test';
import { phaseRpcSetup } from '../../../src/harness/clients/phase-clients.ts';
import { readDebugCounts } from '../../../src/harness/targets/debug-counts.ts';
import { ExternalServers } from '../../../src/harness/targets/external-servers.ts';
import { fetchRegisteredServers, MAX_REGISTRY_ANSWER_BYTES } from '../../../src/registry/registry-client.ts';
import { dial } from '../../../src/rpc/dial.ts';
import { MAX_HTTP_HEAD_BYTES } from '../../../src/rpc/http-head.ts';
import { planPhases } from '../../../src/scenario/phase-plan.ts';
import { validateScenario } from '../../../src/scenario/scenario-loader.ts';

const MIB = 1024 * 1024;

/** An HTTP server answering every request with `answer`, closed (with its sockets) when the test ends. */
async function httpServer(
  t: TestContext,
  answer: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<string> {
  const server = createServer(answer);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    server.closeAllConnections();
    server.close();
  });
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

/** Writes 64 KiB chunks for as long as the client reads. */
function endless(res: ServerResponse, chunk = Buffer.alloc(64 * 1024, 'a')): void {
  const write = () => {
    while (!res.destroyed && res.write(chunk));
    if (!res.destroyed) res.once('drain', write);
  };
  res.writeHead(200, { 'content-type': 'text/html' });
  write();
}

/** Sends a byte now and then, never finishing. */
function trickle(res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'text/html' });
  const timer = setInterval(() => res.write(' '), 100);
  res.once('close', () => clearInterval(timer));
}

function rssGrowth(before: number): number {
  return process.memoryUsage().rss - before;
}

test('a never-ending debug page stops being read at maxBytes; a trickling one at timeoutMs', {
  timeout: 30_000,
}, async (t) => {
  const huge = await httpServer(t, (_req, res) => endless(res));
  const rss = process.memoryUsage().rss;
  let started = Date.now();
  assert.equal(
    await readDebugCounts(`${huge}/debug/geerpc`, { maxBytes: 4 * MIB, timeoutMs: 20_000 }),
    undefined,
  );
  assert.ok(Date.now() - started < 10_000, `${Date.now() - started} ms`);
  assert.ok(rssGrowth(rss) < 64 * MIB, `RSS grew ${rssGrowth(rss)} bytes`);
  const slow = await httpServer(t, (_req, res) => trickle(res));
  started = Date.now();
  assert.equal(await readDebugCounts(`${slow}/debug/geerpc`, { timeoutMs: 500 }), undefined);
  const tookMs = Date.now() - started;
  assert.ok(tookMs >= 400 && tookMs < 5_000, `${tookMs} ms`);
});

test('a registry answering without end, or never finishing, is refused with the limit named', {
  timeout: 60_000,
}, async (t) => {
  const huge = await httpServer(t, (_req, res) => {
    res.setHeader('content-type', 'application/json');
    endless(res, Buffer.alloc(64 * 1024, ' '));
  });
  const rss = process.memoryUsage().rss;
  await assert.rejects(fetchRegisteredServers(new URL(`${huge}/_geerpc_/registry`), 30_000), {
    code: 'ERR_REGISTRY_UNAVAILABLE',
    message: new RegExp(`GET answered more than ${MAX_REGISTRY_ANSWER_BYTES} bytes`),
  });
  assert.ok(rssGrowth(rss) < 3 * MAX_REGISTRY_ANSWER_BYTES, `RSS grew ${rssGrowth(rss)} bytes`);
  const slow = await httpServer(t, (_req, res) => trickle(res));
  const started = Date.now();
  await assert.rejects(fetchRegisteredServers(new URL(`${slow}/_geerpc_/registry`), 500), {
    code: 'ERR_REGISTRY_UNAVAILABLE',
    message: /no answer within 500 ms/,
  });
  assert.ok(Date.now() - started < 5_000);
});

test('a registry listing 100,000 servers is refused as a target, naming the limit', {
  timeout: 60_000,
}, async (t) => {
  const addresses = Array.from(
    { length: 100_000 },
    (_, i) => `tcp@127.0.${(i >> 8) & 255}.${i & 255}:${10_000 + (i >> 16)}`,
  );
  const registry = await httpServer(t, (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ servers: addresses }));
  });
  const scenario = validateScenario(
    {
      name: 'hostile-registry',
      target: { registry: `${registry}/_geerpc_/registry` },
      call: { method: 'Foo.Sum', args: {} },
    },
    'inline.ts',
  );
  const [plan] = planPhases(scenario);
  const started = Date.now();
  await assert.rejects(
    ExternalServers.open(scenario.target!, phaseRpcSetup(scenario, plan!, 'hostile-registry')),
    {
      code: 'ERR_TARGET',
      message: /lists 100000 servers, more than the 1000 a run loads/,
    },
  );
  assert.ok(Date.now() - started < 20_000);
  // The same list written in a scenario is refused by its schema.
  assert.throws(
    () =>
      validateScenario(
        { name: 'long-list', target: { addresses }, call: { method: 'Foo.Sum' } },
        'inline.ts',
      ),
    /must list at most 1000 addresses/,
  );
});

test('an HTTP CONNECT answer that never ends its head, or never comes, fails the dial in bounds', {
  timeout: 30_000,
}, async (t) => {
  const sockets: Socket[] = [];
  const behaviour = { endless: true };
  const server = createTcpServer((socket) => {
    sockets.push(socket);
    socket.on('error', () => {});
    if (!behaviour.endless) return; // reads the CONNECT, answers nothing
    socket.write('HTTP/1.0 200 Connected to Gee RPC\r\n');
    const header = Buffer.from(`X-Pad: ${'p'.repeat(1000)}\r\n`);
    const write = () => {
      while (!socket.destroyed && socket.write(header));
      if (!socket.destroyed) socket.once('drain', write);
    };
    write();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    for (const socket of sockets) socket.destroy();
    server.close();
  });
  const address = `http@127.0.0.1:${(server.address() as { port: number }).port}`;
  await assert.rejects(dial(address, { connectTimeoutMs: 20_000 }), {
    code: 'ERR_DIAL_FAILED',
    message: /HTTP response head too long/,
  });
  assert.ok(MAX_HTTP_HEAD_BYTES <= 64 * 1024);
  behaviour.endless = false;
  const started = Date.now();
  await assert.rejects(dial(address, { connectTimeoutMs: 300 }), { code: 'ERR_CONNECT_TIMEOUT' });
  assert.ok(Date.now() - started < 5_000);
});
