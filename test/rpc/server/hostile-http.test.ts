import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { test } from 'node:test';
import { MAX_HTTP_HEAD_BYTES } from '../../../src/rpc/http-head.ts';
import { goJsonMessage, goOption } from '../../fixtures/rpc-go-wire.ts';
import { countByte, RawSocket } from '../../fixtures/rpc-raw-socket.ts';
import { dialFor, portOf, startServer } from '../../fixtures/rpc-server.ts';

/** The server's grace after its answer is 2 s; a closed connection is awaited this long at most. */
const CLOSE_BOUND_MS = 6_000;

/**
 * A peer that never closes its side: it keeps the connection half open after the server's
 * answer and writes a byte now and then, which the server only refuses (reset) once it has
 * really let go of the socket. Resolves with the bytes received and how long the close took.
 */
function neverClosingPeer(
  port: number,
  request: string,
): Promise<{ received: Buffer; closedAfterMs: number | undefined; socket: Socket }> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1', allowHalfOpen: true });
    let received = Buffer.alloc(0);
    const started = Date.now();
    let poke: NodeJS.Timeout | undefined;
    const limit = setTimeout(() => finish(undefined), CLOSE_BOUND_MS);
    const finish = (closedAfterMs: number | undefined) => {
      clearTimeout(limit);
      clearInterval(poke);
      resolve({ received, closedAfterMs, socket });
    };
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
    });
    // A write after the server let go meets a reset: EPIPE or ECONNRESET, then 'close'.
    socket.on('error', () => {});
    socket.once('close', () => finish(Date.now() - started));
    socket.once('connect', () => {
      socket.write(request);
      poke = setInterval(() => {
        if (!socket.destroyed) socket.write('x');
      }, 100);
    });
  });
}

for (const [what, request, status] of [
  ['GET /debug/geerpc', 'GET /debug/geerpc HTTP/1.0\r\n\r\n', '200 OK'],
  ['a 405', 'POST /nothing HTTP/1.1\r\nHost: x\r\n\r\n', '405 Method Not Allowed'],
] as const) {
  test(`after answering ${what}, the server closes a connection the peer keeps open`, async (t) => {
    const { address } = await startServer(t, { handshakeTimeoutMs: 60_000 }, 'http@127.0.0.1:0');
    const { received, closedAfterMs, socket } = await neverClosingPeer(portOf(address), request);
    t.after(() => socket.destroy());
    assert.match(received.toString('latin1'), new RegExp(`^HTTP/1\\.0 ${status}\r\n`));
    assert.notEqual(closedAfterMs, undefined, `connection still open after ${CLOSE_BOUND_MS} ms`);
  });
}

test('a 60 KiB CONNECT head in one write is refused; a normal CONNECT still works', async (t) => {
  const { address, logs } = await startServer(t, { handshakeTimeoutMs: 60_000 }, 'http@127.0.0.1:0');
  const raw = await RawSocket.open(`tcp@127.0.0.1:${portOf(address)}`);
  t.after(() => raw.destroy());
  const head = `CONNECT /_geeprc_ HTTP/1.0\r\nX-Pad: ${'a'.repeat(60 * 1024)}\r\n\r\n`;
  assert.ok(head.length > 60 * 1024);
  await raw.write(head);
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    raw.waitClosed(),
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error('connection still open after 5 s')), 5_000);
    }),
  ]).finally(() => clearTimeout(timer));
  assert.doesNotMatch(raw.received.toString('latin1'), /Connected/);
  assert.match(
    await logs.waitFor(/ERR_BAD_HANDSHAKE/),
    new RegExp(`HTTP head of ${head.length} bytes is longer than ${MAX_HTTP_HEAD_BYTES} bytes`),
  );
  const client = await dialFor(t, address);
  assert.equal(await client.call('Foo.Sum', { Num1: 2, Num2: 3 }), 5);
});

test('a CONNECT head just under the limit, in one write with the handshake and a call, is served', async (t) => {
  const { address } = await startServer(t, {}, 'http@127.0.0.1:0');
  const raw = await RawSocket.open(`tcp@127.0.0.1:${portOf(address)}`);
  t.after(() => raw.destroy());
  const start = 'CONNECT /_geerpc_ HTTP/1.0\r\nX-Pad: ';
  const head = `${start}${'b'.repeat(MAX_HTTP_HEAD_BYTES - start.length - 4)}\r\n\r\n`;
  assert.equal(head.length, MAX_HTTP_HEAD_BYTES);
  await raw.write(head + goOption('application/json') + goJsonMessage('Foo.Sum', 1, { Num1: 1, Num2: 1 }));
  const received = await raw.readUntil((bytes) => countByte(bytes, 0x0a) >= 4, 'the answer and a reply');
  const [status, , header, body] = received.toString('utf8').split('\n');
  assert.equal(status, 'HTTP/1.0 200 Connected to Gee RPC');
  assert.deepEqual(JSON.parse(header!), { ServiceMethod: 'Foo.Sum', Seq: 1, Error: '' });
  assert.equal(JSON.parse(body!), 2);
});
