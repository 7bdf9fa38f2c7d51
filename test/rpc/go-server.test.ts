// The Go GeeRPC server (go-peer/) behaves as GeeRPC's: what rpcbench's client has to survive.
import assert from 'node:assert/strict';
import { after, before, type TestContext, test } from 'node:test';
import { type GoServer, runGoClient, startGoServer } from '../../src/benchmarks/go-peer/go-peer.ts';
import { goJsonMessage, goOption } from '../fixtures/rpc-go-wire.ts';
import { countByte, RawSocket } from '../fixtures/rpc-raw-socket.ts';
import { sleep } from '../fixtures/servers.ts';

const SUM = { method: 'Foo.Sum', args: { Num1: 1, Num2: 2 } };
/** Long enough for a loopback reply many times over; the tests that wait it out expect none. */
const QUIET_MS = 300;
/** The Go client's pause after its option, so this Go server never swallows its first call. */
const SETTLE_MS = 50;

let go: GoServer;
let tcp: string;
let http: string;

before(
  async () => {
    go = await startGoServer({ listen: ['tcp@127.0.0.1:0', 'http@127.0.0.1:0'], codecs: ['gob', 'json'] });
    [tcp, http] = go.addresses as [string, string];
  },
  { timeout: 300_000 },
);
after(() => go?.stop());

async function open(t: TestContext, address: string): Promise<RawSocket> {
  const raw = await RawSocket.open(address);
  t.after(() => raw.destroy());
  return raw;
}

test('a call written in the same write as the option is lost; the next call on that connection is answered', async (t) => {
  const raw = await open(t, tcp);
  await raw.write(goOption('application/json') + goJsonMessage('Foo.Sum', 1, { Num1: 1, Num2: 2 }));
  await sleep(QUIET_MS);
  assert.equal(raw.received.length, 0, 'the option decoder swallowed the first call');
  assert.equal(raw.closed, false);
  await raw.write(goJsonMessage('Foo.Sum', 2, { Num1: 10, Num2: 20 }));
  assert.equal(await raw.readLines(2), '{"ServiceMethod":"Foo.Sum","Seq":2,"Error":""}\n30\n');
});

test('the same bytes in two writes, with a pause after the option, are answered', async (t) => {
  const raw = await open(t, tcp);
  await raw.write(goOption('application/json'));
  await sleep(50);
  await raw.write(goJsonMessage('Foo.Sum', 1, { Num1: 1, Num2: 2 }));
  assert.equal(await raw.readLines(2), '{"ServiceMethod":"Foo.Sum","Seq":1,"Error":""}\n3\n');
});

test('over HTTP: CONNECT to /_geeprc_ is answered with GeeRPC bare-LF status, then the RPC stream', async (t) => {
  const raw = await open(t, http);
  await raw.write('CONNECT /_geeprc_ HTTP/1.0\n\n');
  assert.equal(await raw.readLines(2), 'HTTP/1.0 200 Connected to Gee RPC\n\n');
  await raw.write(goOption('application/json'));
  await sleep(50);
  await raw.write(goJsonMessage('Foo.Sum', 1, { Num1: 4, Num2: 5 }));
  await raw.readUntil((bytes) => countByte(bytes, 0x0a) >= 4, 'the reply');
  assert.equal(
    raw.received.toString(),
    'HTTP/1.0 200 Connected to Gee RPC\n\n{"ServiceMethod":"Foo.Sum","Seq":1,"Error":""}\n9\n',
  );
});

test('an unknown method: GeeRPC leaves its body unread, and JSON then reads it as an empty header', async (t) => {
  const raw = await open(t, tcp);
  await raw.write(goOption('application/json'));
  await sleep(50);
  await raw.write(
    goJsonMessage('Foo.Nope', 1, { Num1: 1, Num2: 2 }) + goJsonMessage('Foo.Sum', 2, { Num1: 1, Num2: 2 }),
  );
  assert.equal(
    await raw.readLines(6),
    '{"ServiceMethod":"Foo.Nope","Seq":1,"Error":"rpc server: can\'t find method Nope"}\n{}\n' +
      '{"ServiceMethod":"","Seq":0,"Error":"rpc server: service/method request ill-formed: "}\n{}\n' +
      '{"ServiceMethod":"Foo.Sum","Seq":2,"Error":""}\n3\n',
  );
});

test('an unknown method over gob: the error reply, then the unread body closes the connection', async () => {
  const summary = await runGoClient({
    addresses: [tcp],
    codec: 'gob',
    settleMs: SETTLE_MS,
    calls: [{ method: 'Foo.Nope', args: { Num1: 1, Num2: 2 } }, SUM],
    n: 2,
  });
  assert.deepEqual(summary.results[0], { error: "rpc server: can't find method Nope" });
  // The next call races the close: it fails on the dying connection, or the XClient has already
  // seen the close and dials again.
  const next = summary.results[1]!;
  if (next.error === undefined) {
    assert.deepEqual(next, { reply: 3 });
    assert.equal(summary.dials, 2);
  } else {
    assert.match(next.error, /^(EOF|connection is shut down|read tcp .*: connection reset by peer)$/);
  }
  await go.waitForLog(
    /rpc server: read header error: gob: type mismatch: no fields matched compiling decoder for Header/,
  );
});

for (const [name, option, log] of [
  [
    'a wrong magic number',
    goOption('application/json', { magicNumber: 1234 }),
    /rpc server: invalid magic number 4d2/,
  ],
  [
    'an unknown codec',
    goOption('application/msgpack'),
    /rpc server: invalid codec type application\/msgpack/,
  ],
  ['an option that is not JSON', 'hello\n', /rpc server: options error: {2}invalid character 'h'/],
] as const) {
  test(`${name}: logged and the connection closed`, async (t) => {
    const raw = await open(t, tcp);
    await raw.write(option);
    await raw.waitClosed();
    await go.waitForLog(log);
  });
}

for (const [codec, address] of [
  ['gob', () => tcp],
  ['json', () => http],
] as const) {
  test(`Go client and Go server, ${codec}: 1,000 concurrent calls with -settle`, async () => {
    const summary = await runGoClient({
      addresses: [address()],
      codec,
      settleMs: SETTLE_MS,
      calls: [SUM],
      n: 1000,
      concurrency: 1000,
      vary: true,
      check: true,
    });
    assert.deepEqual(summary.errors, {}, summary.mismatch);
    assert.equal(summary.ok, 1000);
  });
}

test('the handle timeout the client asks for is enforced with GeeRPC wording', async () => {
  const summary = await runGoClient({
    addresses: [tcp],
    settleMs: SETTLE_MS,
    handleTimeoutMs: 100,
    calls: [{ method: 'Foo.Sleep', args: { Num1: 1, Num2: 2 } }],
  });
  assert.deepEqual(summary.results, [{ error: 'rpc server: request handle timeout: expect within 100ms' }]);
});

test('the HTTP listener: debug page with call counts, 405 for other methods on the RPC path, 404 elsewhere', async () => {
  const call = await runGoClient({ addresses: [http], settleMs: SETTLE_MS, calls: [SUM] });
  assert.deepEqual(call.replies, [3]);
  const base = `http://${http.slice('http@'.length)}`;
  const page = await fetch(`${base}/debug/geerpc`);
  assert.equal(page.status, 200);
  const html = await page.text();
  assert.match(html, /<title>GeeRPC Services<\/title>/);
  assert.match(html, /Service Foo/);
  assert.match(html, /Sum\(main\.Args, \*int\) error<\/td>\s*<td align=center>[1-9]\d*<\/td>/);
  assert.match(html, /Echo\(string, \*string\) error/);

  const get = await fetch(`${base}/_geeprc_`);
  assert.equal(get.status, 405);
  assert.equal(await get.text(), '405 must CONNECT\n');

  const missing = await fetch(`${base}/elsewhere`);
  assert.equal(missing.status, 404);
  assert.equal(await missing.text(), '404 page not found\n');
});
