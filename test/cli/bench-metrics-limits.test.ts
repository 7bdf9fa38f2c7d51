// bench --metrics-listen with its limits set on the command line: each one reaches the endpoint
// and bounds what a connection may make it hold, while the run goes on.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { metricsLimitConflict, metricsLimitsFrom } from '../../src/cli/bench.ts';
import { rawExchange, withIdleConnections } from '../fixtures/raw-http.ts';
import { startServer } from '../fixtures/rpc-server.ts';
import { runCli } from '../fixtures/run-cli.ts';

const BENCH = new URL('../../src/cli/bench.ts', import.meta.url).pathname;
/** Well under the defaults (5 s), well over the 300 ms asked for: the flag made the difference. */
const CLOSED_WITHIN_MS = 3_000;
const LINGER_NOTICE = /keeping \S+ up until a scrape reads the final figures/;

test('bench --metrics-max-connections, --metrics-headers-timeout, --metrics-keep-alive-timeout and --metrics-max-header-bytes bound the live endpoint', {
  timeout: 120_000,
}, async (t) => {
  const { address } = await startServer(t);
  const out = await mkdtemp(join(tmpdir(), 'rpcbench-metrics-limits-'));
  t.after(() => rm(out, { recursive: true, force: true }));
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      BENCH,
      ...['--target', address, '--method', 'Foo.Sum', '--args', '{"Num1":1,"Num2":2}'],
      ...['--duration', '8s', '--warmup', '0', '--concurrency', '2', '--quiet', '--out', out],
      ...['--metrics-listen', '127.0.0.1:0', '--metrics-linger', '60s'],
      ...['--metrics-max-connections', '2', '--metrics-headers-timeout', '300ms'],
      ...['--metrics-keep-alive-timeout', '300ms', '--metrics-max-header-bytes', '1024'],
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  t.after(() => child.kill('SIGKILL'));
  let stderr = '';
  const exit = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const port = await new Promise<number>((resolve, reject) => {
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const match = /serving live metrics at http:\/\/127\.0\.0\.1:(\d+)\/metrics/.exec(stderr);
      if (match !== null) resolve(Number(match[1]));
    });
    void exit.then(() => reject(new Error(stderr)));
  });

  // A head larger than --metrics-max-header-bytes (the default 8 KiB would take it).
  const big = await rawExchange(
    port,
    `GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(2_048)}\r\n\r\n`,
  );
  assert.match(big.received, /^HTTP\/1\.1 431 /);
  // A head that never ends, cut off by --metrics-headers-timeout.
  const slow = await rawExchange(port, 'GET /metrics HTTP/1.1\r\nHost: x\r\n');
  assert.doesNotMatch(slow.received, /^HTTP\/1\.1 200/);
  assert.ok(slow.closedAfterMs < CLOSED_WITHIN_MS, `a slow head held ${slow.closedAfterMs} ms`);
  // Past --metrics-max-connections, a connection is closed unanswered.
  const third = await withIdleConnections(port, 2, () =>
    rawExchange(port, 'GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n'),
  );
  assert.equal(third.received, '', 'a third connection is closed unanswered');
  // A kept-alive connection left idle is closed after --metrics-keep-alive-timeout, during the run.
  // (Once the server has seen the held connections close: until then a new one is over the limit.)
  let idle = await rawExchange(port, 'GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n', true);
  for (let attempt = 0; idle.received === '' && attempt < 40; attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    idle = await rawExchange(port, 'GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n', true);
  }
  assert.match(idle.received, /^HTTP\/1\.1 200 /);
  assert.doesNotMatch(stderr, LINGER_NOTICE, 'the run was still going: its end closed nothing');
  assert.ok(idle.closedAfterMs < CLOSED_WITHIN_MS, `an idle connection held ${idle.closedAfterMs} ms`);

  // The run then ends as usual: one scrape after it reads the final figures.
  await new Promise<void>((resolve) => {
    const check = () => (LINGER_NOTICE.test(stderr) ? resolve() : setTimeout(check, 50));
    check();
  });
  assert.equal((await fetch(`http://127.0.0.1:${port}/metrics`)).status, 200);
  assert.equal(await exit, 0, stderr);
});

test('the metrics flags become the endpoint limits in whole milliseconds; the head may not outlast the request', () => {
  assert.deepEqual(metricsLimitsFrom({}), {});
  assert.deepEqual(
    metricsLimitsFrom({
      metricsMaxConnections: 3,
      metricsHeadersTimeout: 0.4,
      metricsRequestTimeout: 1_500.4,
      metricsKeepAliveTimeout: 2_000,
      metricsMaxHeaderBytes: 4_096,
    }),
    {
      maxConnections: 3,
      headersTimeoutMs: 1,
      requestTimeoutMs: 1_500,
      keepAliveTimeoutMs: 2_000,
      maxHeaderBytes: 4_096,
    },
  );
  assert.equal(metricsLimitConflict({ metricsRequestTimeout: 5_000 }), undefined);
  assert.equal(
    metricsLimitConflict({ metricsRequestTimeout: 200 }),
    '--metrics-headers-timeout (5s) must be at most --metrics-request-timeout (200ms)',
  );
});

/** A bench command line that exits at its parse: a target nothing listens on, the endpoint and `flags`. */
const refused = (...flags: string[]) =>
  runCli('bench.ts', ['--target', 'tcp@127.0.0.1:1', '--method', 'Foo.Sum', ...flags]);

test('bench refuses a metrics limit out of range, or without --metrics-listen, naming the flag, with the usage exit code', async () => {
  const listen = ['--metrics-listen', '127.0.0.1:0'];
  for (const [flag, value, rule] of [
    ['--metrics-max-connections', '0', /must be a positive integer/],
    ['--metrics-headers-timeout', '0', /must be a positive number of seconds/],
  ] as const) {
    const run = await refused(...listen, flag, value);
    assert.equal(run.code, 2, `${flag} ${value}: ${run.stderr}`);
    assert.ok(run.stderr.includes(flag), run.stderr);
    assert.match(run.stderr, rule);
  }
  const conflict = await refused(...listen, '--metrics-headers-timeout', '20s');
  assert.equal(conflict.code, 2, conflict.stderr);
  assert.match(
    conflict.stderr,
    /--metrics-headers-timeout \(20s\) must be at most --metrics-request-timeout \(10s, its default\)/,
  );
  const alone = await refused('--metrics-max-connections', '2');
  assert.equal(alone.code, 2, alone.stderr);
  assert.match(alone.stderr, /--metrics-max-connections needs --metrics-listen/);
});
