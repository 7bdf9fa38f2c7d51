import assert from 'node:assert/strict';
import { test } from 'node:test';
import { escapeHtml } from '../../src/util/escape-html.ts';
import { countByte, RawSocket } from '../fixtures/rpc-raw-socket.ts';
import { dialFor, portOf, startServer } from '../fixtures/rpc-server.ts';

const TRICKY_SERVICE = `<b>Svc&"'`;
const TRICKY_METHOD = '<i>m</i>';

test('CONNECT works on both GeeRPC paths, as chosen by the client httpPath option', async (t) => {
  const { address } = await startServer(t, {}, 'http@127.0.0.1:0');
  for (const httpPath of ['/_geerpc_', '/_geeprc_']) {
    const client = await dialFor(t, address, { httpPath });
    assert.equal(await client.call('Foo.Sum', { Num1: 1, Num2: 2 }), 3, httpPath);
  }
  await assert.rejects(dialFor(t, address, { httpPath: '/elsewhere' }), {
    code: 'ERR_DIAL_FAILED',
    message: /unexpected HTTP response "HTTP\/1\.0 405 Method Not Allowed"/,
  });
});

test('ServerOptions.rpcPaths replaces the accepted CONNECT paths', async (t) => {
  const { address } = await startServer(t, { rpcPaths: ['/rpc'] }, 'http@127.0.0.1:0');
  const client = await dialFor(t, address, { httpPath: '/rpc' });
  assert.equal(await client.call('Foo.Sum', { Num1: 1, Num2: 1 }), 2);
  await assert.rejects(dialFor(t, address), { code: 'ERR_DIAL_FAILED' });
});

test('GET /debug/geerpc lists services, methods and call counts, HTML-escaped (fetch)', async (t) => {
  const { server, address } = await startServer(t, {}, 'http@127.0.0.1:0');
  server.register({ [TRICKY_METHOD]: () => 'tricky', Plain: () => 1 }, { name: TRICKY_SERVICE });
  const client = await dialFor(t, address);
  await client.call('Foo.Sum', { Num1: 1, Num2: 1 });
  await client.call('Foo.Sum', { Num1: 1, Num2: 1 });
  assert.equal(await client.call(`${TRICKY_SERVICE}.${TRICKY_METHOD}`, null), 'tricky');

  const response = await fetch(`http://127.0.0.1:${portOf(address)}/debug/geerpc`);
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
  const page = await response.text();
  assert.match(page, /Service Foo<\/h2>/);
  assert.match(page, /<tr><td>Sum<\/td><td>2<\/td><\/tr>/);
  assert.match(page, /<tr><td>Sleep<\/td><td>0<\/td><\/tr>/);
  assert.match(page, /Service Bench<\/h2>/);
  assert.ok(page.includes('Service &lt;b&gt;Svc&amp;&quot;&#39;</h2>'), page);
  assert.ok(page.includes('<tr><td>&lt;i&gt;m&lt;/i&gt;</td><td>1</td></tr>'), page);
  assert.ok(
    !page.includes(TRICKY_SERVICE) && !page.includes(TRICKY_METHOD),
    'no raw markup leaks into the page',
  );
  assert.equal(escapeHtml(`<>&"'`), '&lt;&gt;&amp;&quot;&#39;');
});

test('GET /debug/geerpc over a raw socket, with the bare LF a Go tool might send', async (t) => {
  const { address } = await startServer(t, {}, 'http@127.0.0.1:0');
  const raw = await RawSocket.open(address);
  t.after(() => raw.destroy());
  await raw.write('GET /debug/geerpc HTTP/1.0\n\n');
  await raw.waitClosed();
  const response = raw.received.toString();
  assert.match(response, /^HTTP\/1\.0 200 OK\r\n/);
  const length = Number(/Content-Length: (\d+)/.exec(response)?.[1]);
  const body = response.slice(response.indexOf('\r\n\r\n') + 4);
  assert.equal(Buffer.byteLength(body), length);
  assert.match(body, /<h1>GeeRPC Services<\/h1>/);
});

test('any other request gets 405 and its connection is closed', async (t) => {
  const { address, logs } = await startServer(t, {}, 'http@127.0.0.1:0');
  const base = `http://127.0.0.1:${portOf(address)}`;
  for (const [method, path] of [
    ['GET', '/'],
    ['POST', '/debug/geerpc'],
    ['GET', '/_geerpc_'],
    ['DELETE', '/x'],
  ] as const) {
    const response = await fetch(`${base}${path}`, { method });
    assert.equal(response.status, 405, `${method} ${path}`);
    assert.equal(await response.text(), '405 must CONNECT\n');
  }
  for (const request of [
    'CONNECT /nowhere HTTP/1.0\n\n',
    'GET /debug/geerpc/more HTTP/1.1\r\nHost: x\r\n\r\n',
  ]) {
    const raw = await RawSocket.open(address);
    await raw.write(request);
    await raw.waitClosed();
    raw.destroy();
    assert.match(raw.received.toString(), /^HTTP\/1\.0 405 Method Not Allowed\r\n/);
  }
  assert.deepEqual(logs.lines, []);
  const client = await dialFor(t, address);
  assert.equal(await client.call('Foo.Sum', { Num1: 1, Num2: 1 }), 2, 'RPC still works after the refusals');
});

test('an HTTP head that never ends is cut off', async (t) => {
  const { address, logs } = await startServer(t, {}, 'http@127.0.0.1:0');
  const raw = await RawSocket.open(address);
  t.after(() => raw.destroy());
  await raw.write(`CONNECT /_geerpc_ HTTP/1.0\nX-Pad: ${'p'.repeat(9000)}`);
  await raw.waitClosed();
  assert.equal(countByte(raw.received, 0x0a), 0, 'no answer is sent');
  assert.match(await logs.waitFor(/ERR_BAD_HANDSHAKE/), /HTTP head longer than 8192 bytes/);
});
