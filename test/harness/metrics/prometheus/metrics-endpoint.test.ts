import assert from 'node:assert/strict';
import { test } from 'node:test';
import { listenAddress } from '../../../../src/cli/arguments.ts';
import { MetricsListenError } from '../../../../src/harness/errors.ts';
import type { LiveFigures } from '../../../../src/harness/metrics/phase-recorder.ts';
import { renderExposition } from '../../../../src/harness/metrics/prometheus/exposition.ts';
import {
  bucketsOf,
  LATENCY_BUCKET_BOUNDS_SECONDS,
} from '../../../../src/harness/metrics/prometheus/latency-buckets.ts';
import { LiveMetrics } from '../../../../src/harness/metrics/prometheus/live-metrics.ts';
import {
  METRICS_SERVER_DEFAULTS,
  MetricsServer,
  resolveMetricsServerLimits,
} from '../../../../src/harness/metrics/prometheus/metrics-server.ts';
import { createLatencyHistogram, encodeHistogram } from '../../../../src/result/histogram.ts';
import { InvalidArgumentError } from '../../../../src/util/errors.ts';
import { rawExchange, withIdleConnections } from '../../../fixtures/raw-http.ts';
import { makeRunResult } from '../../../fixtures/report-results.ts';

/** Every sample line as `name{labels}` → value. */
function samples(text: string): Map<string, number> {
  const map = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    map.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return map;
}

test('the exposition has HELP and TYPE per family and escapes label values', () => {
  const text = renderExposition([
    {
      name: 'x_total',
      help: 'a\\b\nc',
      type: 'counter',
      samples: [{ labels: { path: 'a"b\\c\nd' }, value: 3 }],
    },
    { name: 'empty', help: 'none', type: 'gauge', samples: [] },
  ]);
  assert.equal(text, '# HELP x_total a\\\\b\\nc\n# TYPE x_total counter\nx_total{path="a\\"b\\\\c\\nd"} 3\n');
});

test('latency buckets count the calls at or under each bound, cumulatively', () => {
  const valuesUs = [30, 50, 51, 100, 999, 1_000, 1_001, 2_400, 2_600, 7_000, 15_000_000];
  const histogram = createLatencyHistogram();
  for (const value of valuesUs) histogram.recordValue(value);
  const buckets = bucketsOf(histogram);
  assert.deepEqual(
    buckets.cumulative,
    LATENCY_BUCKET_BOUNDS_SECONDS.map((bound) => valuesUs.filter((us) => us <= bound * 1e6).length),
  );
  assert.equal(buckets.count, valuesUs.length);
  assert.ok(Math.abs(buckets.sumSeconds - valuesUs.reduce((a, b) => a + b, 0) / 1e6) < 0.02);
});

function figures(counts: number[], latencyUs: number): LiveFigures {
  const histograms = counts.map((count) => {
    const histogram = createLatencyHistogram();
    for (let i = 0; i < count; i++) histogram.recordValue(latencyUs);
    return encodeHistogram(histogram);
  });
  const calls = counts.reduce((a, b) => a + b, 0) + 1;
  return {
    calls,
    errors: 1,
    errorsByCode: { ERR_REMOTE: 1 },
    addresses: ['tcp@a:1', 'tcp@b:2'],
    clientCounts: [counts[0]! + 1, counts[1]!],
    serverHistograms: histograms.map((encoded) => [encoded]),
    inFlight: 4,
  };
}

async function delivered(): Promise<void> {
  // A MessagePort delivers on a later turn of the event loop.
  await new Promise((resolve) => setTimeout(resolve, 50));
}

test('live figures are the sum of the threads; the result replaces them when the phase ends', async () => {
  const metrics = new LiveMetrics();
  const phase = metrics.openPhase({
    scenario: 's',
    phase: 'roundrobin',
    addresses: ['tcp@a:1', 'tcp@b:2'],
    threads: 2,
  });
  phase.ports[0]!.postMessage(figures([3, 2], 80));
  phase.ports[1]!.postMessage(figures([1, 4], 3_000));
  await delivered();
  const live = samples(metrics.render());
  const labels = 'scenario="s",phase="roundrobin"';
  assert.equal(live.get(`rpcbench_calls_total{${labels}}`), 12);
  assert.equal(live.get(`rpcbench_call_errors_total{${labels},code="ERR_REMOTE"}`), 2);
  assert.equal(live.get(`rpcbench_calls_in_flight{${labels}}`), 8);
  assert.equal(live.get(`rpcbench_phase_complete{${labels}}`), 0);
  assert.equal(live.get(`rpcbench_server_calls_total{${labels},server="tcp@a:1"}`), 6);
  assert.equal(live.get(`rpcbench_call_duration_seconds_bucket{${labels},server="tcp@b:2",le="0.0001"}`), 2);
  assert.equal(live.get(`rpcbench_call_duration_seconds_bucket{${labels},server="tcp@b:2",le="+Inf"}`), 6);
  assert.equal(live.get(`rpcbench_call_duration_seconds_count{${labels},server="tcp@a:1"}`), 4);
  // Counts come whole, latencies as the intervals closed since the thread's last figures: they add up.
  phase.ports[1]!.postMessage(figures([1, 4], 3_000));
  await delivered();
  const later = samples(metrics.render());
  assert.equal(later.get(`rpcbench_calls_total{${labels}}`), 12);
  assert.equal(later.get(`rpcbench_call_duration_seconds_count{${labels},server="tcp@a:1"}`), 5);

  const result = makeRunResult().phases[0]!;
  phase.end({ ...result, label: 'roundrobin', servers: result.servers.slice(0, 2) });
  phase.ports[0]!.postMessage(figures([100, 100], 80));
  await delivered();
  const final = samples(metrics.render());
  assert.equal(final.get(`rpcbench_calls_total{${labels}}`), result.calls);
  assert.equal(final.get(`rpcbench_calls_in_flight{${labels}}`), 0);
  assert.equal(final.get(`rpcbench_phase_complete{${labels}}`), 1);
  // The result's servers are other addresses: the phase's own show none of the late message.
  assert.equal(final.get(`rpcbench_server_calls_total{${labels},server="tcp@a:1"}`), 0);
  const first = result.servers[0]!;
  assert.equal(
    final.get(`rpcbench_server_calls_total{${labels},server="${first.address}"}`),
    undefined,
    'only the addresses the phase was opened with are served',
  );
  assert.equal(metrics.finalizedPhases, 1);

  const nothing = metrics.openPhase({ scenario: 's', phase: 'random', addresses: ['tcp@a:1'], threads: 1 });
  nothing.end(null);
  assert.doesNotMatch(metrics.render(), /phase="random"/);

  // The same scenario again: its series start over instead of appearing twice.
  const again = metrics.openPhase({ scenario: 's', phase: 'roundrobin', addresses: ['tcp@a:1'], threads: 1 });
  const text = metrics.render();
  assert.equal(text.match(/^rpcbench_calls_total\{/gm)?.length, 1);
  assert.equal(samples(text).get(`rpcbench_calls_total{${labels}}`), 0);
  again.end(null);
});

async function withServer(
  limits: Parameters<typeof MetricsServer.start>[2],
  body: (server: MetricsServer, port: number) => Promise<void>,
): Promise<void> {
  const server = await MetricsServer.start(
    { render: () => 'up 1\n' },
    { host: '127.0.0.1', port: 0 },
    limits,
  );
  try {
    await body(server, Number(new URL(server.url).port));
  } finally {
    await server.close();
  }
}

test('the endpoint answers GET and HEAD of /metrics only, with the exposition content type', async () => {
  await withServer({}, async (server) => {
    const response = await fetch(server.url);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
    assert.equal(await response.text(), 'up 1\n');
    const head = await fetch(server.url, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(await head.text(), '');
    assert.equal((await fetch(server.url, { method: 'DELETE' })).status, 405);
    assert.equal((await fetch(server.url, { method: 'POST', body: 'x' })).status, 413);
    assert.equal((await fetch(new URL('/other', server.url))).status, 404);
    assert.equal(server.scrapes, 2);
  });
});

test('the endpoint bounds header size, connections and the time a request may take', async () => {
  const limits = { maxConnections: 2, maxHeaderBytes: 1_024, headersTimeoutMs: 300, requestTimeoutMs: 600 };
  await withServer(limits, async (server, port) => {
    const big = await rawExchange(
      port,
      `GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(4_096)}\r\n\r\n`,
    );
    assert.match(big.received, /^HTTP\/1\.1 431 /);
    // A request head that never ends is cut off by the headers timeout.
    const slow = await rawExchange(port, 'GET /metrics HTTP/1.1\r\nHost: x\r\n');
    assert.doesNotMatch(slow.received, /^HTTP\/1\.1 200/);
    const refused = await withIdleConnections(port, limits.maxConnections, () =>
      rawExchange(port, 'GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n'),
    );
    assert.equal(refused.received, '', 'a connection over maxConnections is closed unanswered');
    assert.equal(server.scrapes, 0);
  });
});

test('a 64 KiB path is refused with 431 naming no figure; a scrape then succeeds', async () => {
  await withServer({}, async (server, port) => {
    const huge = await rawExchange(port, `GET /${'p'.repeat(64 * 1024)} HTTP/1.1\r\nHost: x\r\n\r\n`);
    assert.match(huge.received, /^HTTP\/1\.1 431 /);
    assert.doesNotMatch(huge.received, /up 1/);
    const response = await fetch(server.url);
    assert.equal(response.status, 200);
    assert.equal(await response.text(), 'up 1\n');
  });
});

test('waitForScrape resolves once a scrape is answered after it, or false after its bound', async () => {
  await withServer({}, async (server) => {
    assert.equal(await server.waitForScrape(50), false);
    const waiting = server.waitForScrape(30_000);
    await fetch(server.url);
    assert.equal(await waiting, true);
  });
});

test('an address already taken is a MetricsListenError naming it', async () => {
  await withServer({}, async (_server, port) => {
    await assert.rejects(
      MetricsServer.start({ render: () => '' }, { host: '127.0.0.1', port }),
      (error: unknown) =>
        error instanceof MetricsListenError &&
        error.code === 'ERR_METRICS_LISTEN' &&
        error.message.includes(`127.0.0.1:${port}`),
    );
  });
});

test('--metrics-listen takes host:port, IPv6 in brackets', () => {
  assert.deepEqual(listenAddress('127.0.0.1:9464'), { host: '127.0.0.1', port: 9464 });
  assert.deepEqual(listenAddress('[::1]:0'), { host: '::1', port: 0 });
  assert.deepEqual(listenAddress('localhost:80'), { host: 'localhost', port: 80 });
  for (const bad of ['9464', '127.0.0.1', '127.0.0.1:70000', '::1:9464', 'host:port', '']) {
    assert.throws(() => listenAddress(bad), /must be host:port/, bad);
  }
});

test('the endpoint refuses limits out of range, naming the limit', () => {
  for (const [limits, pattern] of [
    [{ maxConnections: 0 }, /limits\.maxConnections must be an integer from 1/],
    [{ maxHeaderBytes: 1.5 }, /limits\.maxHeaderBytes must be an integer from 1/],
    [{ keepAliveTimeoutMs: 2 ** 31 }, /limits\.keepAliveTimeoutMs must be an integer from 1 to 2147483647/],
    [
      { headersTimeoutMs: 2_000, requestTimeoutMs: 1_000 },
      /limits\.headersTimeoutMs \(2000\) must be at most limits\.requestTimeoutMs \(1000\)/,
    ],
  ] as const) {
    assert.throws(
      () => resolveMetricsServerLimits(limits),
      (error: unknown) =>
        error instanceof InvalidArgumentError &&
        error.code === 'ERR_INVALID_ARGUMENT' &&
        pattern.test(error.message),
    );
  }
  assert.deepEqual(resolveMetricsServerLimits({ maxConnections: 2 }), {
    ...METRICS_SERVER_DEFAULTS,
    maxConnections: 2,
  });
});
