import assert from 'node:assert/strict';
import { createServer, type Server as NetServer, type Socket } from 'node:net';
import { before, type TestContext, test } from 'node:test';
import { buildGoPeer } from '../../../src/benchmarks/go-peer/build.ts';
import { runGoClient } from '../../../src/benchmarks/go-peer/go-peer.ts';
import { dial } from '../../../src/rpc/dial.ts';
import { RemoteError } from '../../../src/rpc/errors.ts';
import { HANDSHAKE_BYTES } from '../../../src/rpc/handshake.ts';
import { goJson, goJsonMessage } from '../../fixtures/rpc-go-wire.ts';
import { countByte, RawSocket } from '../../fixtures/rpc-raw-socket.ts';
import { startServer } from '../../fixtures/rpc-server.ts';

const SUM = { method: 'Foo.Sum', args: { Num1: 1, Num2: 2 } };

before(() => buildGoPeer(), { timeout: 300_000 });

// GeeRPC's own Go client (go-peer/) with its JSON codec: it writes the option and
// its first call at once, escapes <, > and & as Go does, and over HTTP sends a bare-LF CONNECT
// to the misspelt /_geeprc_; rpcbench's replies must decode in Go's json.Decoder.

test('a Go JSON client calls Foo.Sum and decodes the reply', async (t) => {
  const { address } = await startServer(t, {}, 'tcp@127.0.0.1:0');
  const summary = await runGoClient({ addresses: [address], codec: 'json', calls: [SUM] });
  assert.deepEqual(summary.results, [{ reply: 3 }]);
});

test('a failed call reaches a Go JSON client as the error text, and the body {} is skipped', async (t) => {
  const { address } = await startServer(t);
  const summary = await runGoClient({
    addresses: [address],
    codec: 'json',
    calls: [{ method: 'Foo.Nope', args: { Num1: 1, Num2: 2 } }, SUM],
    n: 2,
  });
  assert.deepEqual(summary.results, [{ error: "rpc server: can't find method Nope" }, { reply: 3 }]);
  assert.equal(summary.dials, 1);
});

test('strings Go escapes (<, >, &, U+2028) are read and answered in a form Go decodes to the same text', async (t) => {
  const { address } = await startServer(t);
  const text = '<b> & </b> \u2028 "quoted" \\ é 😀\nline';
  const summary = await runGoClient({
    addresses: [address],
    codec: 'json',
    calls: [{ method: 'Bench.Echo', args: text }],
    n: 20,
    concurrency: 4,
    vary: true,
    check: true,
  });
  assert.deepEqual(summary.errors, {}, summary.mismatch);
  assert.equal(summary.replies[0], `${text}#0`);
});

test('a Go JSON client over HTTP CONNECT, with Go misspelt path, bare-LF request and all', async (t) => {
  const { address } = await startServer(t, {}, 'http@127.0.0.1:0');
  const summary = await runGoClient({
    addresses: [address],
    codec: 'json',
    calls: [SUM],
    n: 3,
    vary: true,
    check: true,
  });
  assert.deepEqual(summary.errors, {}, summary.mismatch);
  assert.deepEqual(summary.replies, [3, 4, 5]);
});

/** A stand-in for a Go GeeRPC server with a JSON codec: lines in, lines out, on raw sockets. */
class FakeGoServer {
  readonly #server: NetServer;
  readonly #connections: Socket[] = [];
  readonly #accepted: ((raw: RawSocket) => void)[] = [];

  constructor() {
    this.#server = createServer((socket) => {
      this.#connections.push(socket);
      const raw = RawSocket.accept(socket);
      this.#accepted.shift()?.(raw);
    });
  }

  async listen(transport: 'tcp' | 'http'): Promise<string> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    const address = this.#server.address();
    assert.ok(address !== null && typeof address === 'object');
    return `${transport}@127.0.0.1:${address.port}`;
  }

  nextConnection(): Promise<RawSocket> {
    return new Promise((resolve) => this.#accepted.push(resolve));
  }

  close(): Promise<void> {
    for (const socket of this.#connections) socket.destroy();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}

async function fakeGoServer(
  t: TestContext,
  transport: 'tcp' | 'http',
): Promise<{ fake: FakeGoServer; address: string }> {
  const fake = new FakeGoServer();
  t.after(() => fake.close());
  return { fake, address: await fake.listen(transport) };
}

test('our JSON client writes exactly what a Go GeeRPC server reads, and takes replies in any order', async (t) => {
  const { fake, address } = await fakeGoServer(t, 'tcp');
  const accepted = fake.nextConnection();
  const client = await dial(address, { codec: 'application/json', connectTimeoutMs: 5000 });
  t.after(() => client.close());
  const peer = await accepted;
  const first = client.call('Foo.Sum', { Num1: 1, Num2: 2 });
  const second = client.call('Foo.Sum', { Num1: 10, Num2: 20 });
  const third = client.call('Foo.Nope', { Num1: 0, Num2: 0 }).then(
    () => assert.fail('Foo.Nope must fail'),
    (e: unknown) => e,
  );
  const { option, lines } = await peer.readHandshakeAndLines(6);
  assert.deepEqual(option, {
    MagicNumber: 3927900,
    CodecType: 'application/json',
    ConnectTimeout: 5000000000,
    HandleTimeout: 0,
  });
  assert.equal(
    lines,
    '{"ServiceMethod":"Foo.Sum","Seq":1,"Error":""}\n{"Num1":1,"Num2":2}\n' +
      '{"ServiceMethod":"Foo.Sum","Seq":2,"Error":""}\n{"Num1":10,"Num2":20}\n' +
      '{"ServiceMethod":"Foo.Nope","Seq":3,"Error":""}\n{"Num1":0,"Num2":0}\n',
  );
  // Seq 3 and 2 before 1, the last reply split across writes as a slow network would deliver it.
  await peer.write(goJsonMessage('Foo.Nope', 3, {}, "rpc server: can't find method Nope"));
  await peer.write(goJsonMessage('Foo.Sum', 2, 30));
  await peer.writeByteByByte(goJsonMessage('Foo.Sum', 1, 3));
  assert.equal(await second, 30);
  assert.equal(await first, 3);
  const error = await third;
  assert.ok(error instanceof RemoteError);
  assert.equal(error.code, 'ERR_REMOTE');
  assert.equal(error.message, "rpc server: can't find method Nope");
});

test('our client dials a Go server over HTTP through the configured CONNECT path', async (t) => {
  const { fake, address } = await fakeGoServer(t, 'http');
  const accepted = fake.nextConnection();
  const dialing = dial(address, { codec: 'application/json', httpPath: '/_geeprc_' });
  const peer = await accepted;
  assert.equal(await peer.readLines(2), 'CONNECT /_geeprc_ HTTP/1.0\n\n');
  // Go's reply and the first reply bytes may share a segment; none of them may be lost.
  await peer.write(`HTTP/1.0 200 Connected to Gee RPC\n\n`);
  const client = await dialing;
  t.after(() => client.close());
  const reply = client.call('Bench.Echo', { text: '<&>' });
  await peer.readUntil(
    (bytes) => bytes.length > HANDSHAKE_BYTES && countByte(bytes, 0x0a) >= 4,
    'handshake and call',
  );
  await peer.write(goJsonMessage('Bench.Echo', 1, { text: '<&>' }));
  assert.deepEqual(await reply, { text: '<&>' });
  assert.match(goJson({ text: '<&>' }), /\\u003c\\u0026\\u003e/);
});
