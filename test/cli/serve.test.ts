import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { test } from 'node:test';
import { CommanderError } from 'commander';
import { buildGoPeer } from '../../src/benchmarks/go-peer/build.ts';
import { runGoClient } from '../../src/benchmarks/go-peer/go-peer.ts';
import { DEFAULT_LISTEN_ADDRESS, parseServeOptions } from '../../src/cli/serve.ts';
import { dial } from '../../src/rpc/dial.ts';
import { isRpcError } from '../../src/util/errors.ts';
import { dialFor, HANG_LIMIT, startServer, unixSocketAddress } from '../fixtures/rpc-server.ts';
import { runServe } from '../fixtures/serve-process.ts';

/** Polls the debug page until `method` has been called `calls` times: then that call is running. */
async function waitForCalls(httpAddress: string, method: string, calls: number): Promise<void> {
  const url = `http://${httpAddress.slice('http@'.length)}/debug/geerpc`;
  const row = `<tr><td>${method}</td><td>${calls}</td></tr>`;
  for (let attempt = 0; attempt < 1000; attempt++) {
    if ((await (await fetch(url)).text()).includes(row)) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  assert.fail(`${method} was not called ${calls} time(s)`);
}

test('serve options: defaults, repeats, aliases', () => {
  assert.deepEqual(parseServeOptions([]), { listen: [DEFAULT_LISTEN_ADDRESS], server: {} });
  assert.deepEqual(
    parseServeOptions([
      '--listen',
      'tcp@127.0.0.1:0',
      '--listen',
      'http@[::1]:8080',
      '--codec',
      'json',
      '--codec',
      'application/json',
      '--handle-timeout',
      '250',
      '--max-frame-bytes',
      '4096',
      '--max-in-flight',
      '8',
      '--max-connections',
      '50',
      '--idle-timeout',
      '2s',
      '--frame-timeout',
      '0',
    ]),
    {
      listen: ['tcp@127.0.0.1:0', 'http@[::1]:8080'],
      server: {
        codecs: ['application/json'],
        handleTimeoutMs: 250,
        maxFrameBytes: 4096,
        maxInFlightPerConnection: 8,
        maxConnections: 50,
        idleTimeoutMs: 2000,
        frameTimeoutMs: 0,
      },
    },
  );
});

test('serve options: each bad value is refused', () => {
  for (const args of [
    ['--listen', 'localhost:80'],
    ['--listen', 'tcp@127.0.0.1:99999'],
    ['--codec', 'protobuf'],
    ['--handle-timeout', '-1'],
    ['--handle-timeout', '1.5'],
    ['--handle-timeout', ''],
    ['--max-frame-bytes', '0'],
    ['--max-in-flight', '0'],
    ['--max-connections', '-3'],
    ['--idle-timeout', 'soon'],
    ['--frame-timeout', '-1'],
    ['--unknown'],
    ['stray'],
  ]) {
    const written: string[] = [];
    assert.throws(
      () => parseServeOptions(args, (text) => written.push(text)),
      (error: unknown) => error instanceof CommanderError && error.exitCode !== 0,
      args.join(' '),
    );
    assert.match(written.join(''), /^error: /, args.join(' '));
  }
});

test('the serve CLI serves Foo and Bench, then drains and exits 0 on SIGTERM', HANG_LIMIT, async (t) => {
  const unixAddress = unixSocketAddress(t);
  const serve = runServe(
    t,
    [
      '--listen',
      'tcp@127.0.0.1:0',
      '--listen',
      unixAddress,
      '--listen',
      'http@127.0.0.1:0',
      '--codec',
      'msgpack',
    ],
    3,
  );
  const [tcp, unix, http] = await serve.addresses;
  assert.match(tcp!, /^tcp@127\.0\.0\.1:[1-9]\d*$/);
  assert.equal(unix, unixAddress);
  const client = await dialFor(t, tcp!);
  assert.equal(await client.call('Foo.Sum', { Num1: 1, Num2: 2 }), 3);
  const viaUnix = await dialFor(t, unix!);
  assert.deepEqual(await viaUnix.call('Bench.Echo', { hello: 'world' }), { hello: 'world' });
  const jsonClient = await dialFor(t, tcp!, { codec: 'application/json' });
  await assert.rejects(jsonClient.call('Foo.Sum', { Num1: 1, Num2: 2 }), { code: 'ERR_CODEC_REFUSED' });

  // Foo.Sleep answers after Num1 seconds: still running when the signal arrives, it must be answered.
  const sleeping = client.call('Foo.Sleep', { Num1: 2, Num2: 40 });
  await waitForCalls(http!, 'Sleep', 1);
  serve.child.kill('SIGTERM');
  assert.equal(await sleeping, 42);
  const { code, stderr } = await serve.exited;
  assert.equal(code, 0, stderr);
  assert.match(stderr, /SIGTERM, finishing 1 call\(s\) in flight/);
  await assert.rejects(dial(tcp!, { connectTimeoutMs: 5000 }), { code: 'ERR_DIAL_FAILED' });
});

test('the serve CLI applies --handle-timeout and --max-frame-bytes', HANG_LIMIT, async (t) => {
  const serve = runServe(
    t,
    ['--listen', 'http@127.0.0.1:0', '--handle-timeout', '100', '--max-frame-bytes', '1024'],
    1,
  );
  const [address] = await serve.addresses;
  const client = await dialFor(t, address!);
  await assert.rejects(client.call('Foo.Sleep', { Num1: 5, Num2: 0 }), {
    code: 'ERR_REMOTE',
    message: 'rpc server: request handle timeout: expect within 100ms',
  });
  const error = await client.call('Bench.Echo', 'x'.repeat(2000)).catch((e: unknown) => e);
  assert.ok(isRpcError(error, 'ERR_CONN_CLOSED'));
  serve.child.kill('SIGINT');
  const { code, stderr } = await serve.exited;
  assert.equal(code, 0);
  assert.match(stderr, /ERR_FRAME_TOO_LARGE/);
});

test("the serve CLI's log shows control characters a peer sent as escapes", HANG_LIMIT, async (t) => {
  const serve = runServe(t, ['--listen', 'tcp@127.0.0.1:0'], 1);
  const [address] = await serve.addresses;
  const [host, port] = address!.slice('tcp@'.length).split(':') as [string, string];
  // The codec type is the peer's text: the server names it when it refuses the connection.
  const codecType = 'x\x1b[2J\x1b]0;pwned\x07\nFORGED';
  const socket = connect(Number(port), host);
  socket.on('error', () => {});
  socket.end(
    `${JSON.stringify({ MagicNumber: 0x3bef5c, CodecType: codecType, ConnectTimeout: 0, HandleTimeout: 0 })}\n`,
  );
  await serve.stderrLine(/ERR_UNKNOWN_CODEC/);
  serve.child.kill('SIGINT');
  const { stderr } = await serve.exited;
  const raw = [...stderr].filter((char) => char.charCodeAt(0) < 0x20 && char !== '\n');
  assert.deepEqual(raw, [], 'no raw control character reaches the terminal');
  assert.match(stderr, /invalid codec type x\\x1b\[2J\\x1b\]0;pwned\\x07\\nFORGED/);
  assert.ok(!stderr.split('\n').some((line) => line.startsWith('FORGED')), 'no forged line');
});

test('the serve CLI exits 2 on a bad command line and 1 when it cannot listen', async (t) => {
  const bad = await runServe(t, ['--max-frame-bytes', 'lots']).exited;
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /option '--max-frame-bytes <n>' argument 'lots' is invalid/);

  const { address } = await startServer(t);
  const busy = await runServe(t, ['--listen', 'tcp@127.0.0.1:0', '--listen', address]).exited;
  assert.equal(busy.code, 1);
  assert.match(busy.stderr, /cannot listen: .*EADDRINUSE/);
});

test('--help describes every option and exits 0', async (t) => {
  const serve = runServe(t, ['--help']);
  let stdout = '';
  serve.child.stdout!.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  const { code } = await serve.exited;
  assert.equal(code, 0);
  // The methods a user can point `bench --method` at.
  for (const method of ['Foo.Sum', 'Foo.Sleep', 'Bench.Echo']) assert.ok(stdout.includes(method), method);
  for (const option of [
    '--listen <address>',
    '--codec <name>',
    '--handle-timeout <ms>',
    '--max-frame-bytes <n>',
  ]) {
    assert.ok(stdout.includes(option), option);
  }
});

test('a second signal drops the calls in flight and exits 130', HANG_LIMIT, async (t) => {
  const serve = runServe(t, ['--listen', 'http@127.0.0.1:0'], 1);
  const [address] = await serve.addresses;
  const client = await dialFor(t, address!);
  const sleeping = client.call('Foo.Sleep', { Num1: 30, Num2: 0 }).catch((e: unknown) => e);
  await waitForCalls(address!, 'Sleep', 1);
  serve.child.kill('SIGTERM');
  await serve.stderrLine(/SIGTERM, finishing 1 call/);
  serve.child.kill('SIGTERM');
  const { code, stderr } = await serve.exited;
  assert.equal(code, 130, stderr);
  assert.ok(isRpcError(await sleeping, 'ERR_CONN_CLOSED'));
});

test("npm run serve answers GeeRPC's Go client, which speaks gob, over tcp and http", {
  timeout: 300_000,
}, async (t) => {
  await buildGoPeer();
  const serve = runServe(t, ['--listen', 'tcp@127.0.0.1:0', '--listen', 'http@127.0.0.1:0'], 2);
  const addresses = await serve.addresses;
  const summary = await runGoClient({
    addresses,
    codec: 'gob',
    settleMs: 0,
    broadcast: true,
    calls: [{ method: 'Foo.Sum', args: { Num1: 20, Num2: 22 } }],
    n: 5,
  });
  assert.deepEqual(summary.errors, {});
  assert.equal(summary.ok, 5);
  assert.deepEqual(summary.replies, [42, 42, 42, 42, 42]);
  serve.child.kill('SIGTERM');
  assert.equal((await serve.exited).code, 0);
});
