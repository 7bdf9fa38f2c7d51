import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  bucketsOf,
  LATENCY_BUCKET_BOUNDS_SECONDS,
} from '../../../../src/harness/metrics/prometheus/latency-buckets.ts';
import { decodeHistogram } from '../../../../src/result/histogram.ts';
import { readResult } from '../../../../src/result/result-file.ts';
import type { RunResult } from '../../../../src/result/result-schema.ts';
import { type PrometheusInstance, startPrometheus } from '../../../fixtures/prometheus.ts';

/** Liveness only: the run measures 2 × 3 s, Prometheus starts in a few seconds. */
const RUN_TIMEOUT_MS = 180_000;
const QUERY_WAIT_MS = 30_000;

interface Bench {
  child: ChildProcess;
  /** The metrics URL, once the CLI has printed it. */
  url: Promise<string>;
  exit: Promise<{ code: number | null; stderr: string }>;
}

function startBench(outDir: string): Bench {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'src/cli/bench.ts',
      'test/fixtures/scenarios/live-metrics.ts',
      '--quiet',
      '--out',
      outDir,
      '--metrics-listen',
      '127.0.0.1:0',
      '--metrics-linger',
      '60s',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  let announce: (url: string) => void;
  const url = new Promise<string>((resolve) => {
    announce = resolve;
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    const match = /serving live metrics at (\S+)/.exec(stderr);
    if (match !== null) announce(match[1]!);
  });
  const exit = new Promise<{ code: number | null; stderr: string }>((resolve) =>
    child.once('exit', (code) => resolve({ code, stderr })),
  );
  return { child, url: Promise.race([url, exit.then(() => Promise.reject(new Error(stderr)))]), exit };
}

/** The value of one sample line of an exposition, or undefined when absent. */
function sampleValue(text: string, name: string, labels: string): number | undefined {
  const line = text
    .split('\n')
    .find((l) => l.startsWith(`${name}{${labels}}`) || l.startsWith(`${name}{${labels},`));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

/**
 * Reads /metrics every 100 ms until the first phase is complete: true when some answer showed
 * that phase measuring with calls already counted (the figures are live, not only final).
 */
async function watchLive(url: string, exit: Promise<unknown>): Promise<boolean> {
  let sawLive = false;
  let exited = false;
  void exit.then(() => {
    exited = true;
  });
  const labels = 'scenario="live-metrics",phase="roundrobin"';
  while (!exited) {
    const text = await fetch(url, { signal: AbortSignal.timeout(5_000) })
      .then((response) => response.text())
      .catch(() => '');
    const complete = sampleValue(text, 'rpcbench_phase_complete', labels);
    const calls = sampleValue(text, 'rpcbench_calls_total', labels) ?? 0;
    if (complete === 0 && calls > 0) sawLive = true;
    // Stop before the run ends: the run lingers until a scrape after the end, which must be Prometheus's.
    if (sawLive || complete === 1) return sawLive;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return sawLive;
}

/** Last values, read through last_over_time so that the staleness marks after the endpoint closed do not hide them. */
async function lastValues(prometheus: PrometheusInstance, selector: string) {
  return prometheus.query(`last_over_time(${selector}[10m])`);
}

async function waitForFinal(prometheus: PrometheusInstance, phases: number): Promise<void> {
  const deadline = Date.now() + QUERY_WAIT_MS;
  while (Date.now() < deadline) {
    const complete = await lastValues(prometheus, 'rpcbench_phase_complete');
    if (complete.length === phases && complete.every((series) => series.value === 1)) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  assert.fail(`Prometheus did not hold the final figures of ${phases} phases within ${QUERY_WAIT_MS} ms`);
}

function one(
  series: { metric: Record<string, string>; value: number }[],
  labels: Record<string, string>,
): number {
  const found = series.filter((s) =>
    Object.entries(labels).every(([name, value]) => s.metric[name] === value),
  );
  assert.equal(found.length, 1, `one series for ${JSON.stringify(labels)}, got ${found.length}`);
  return found[0]!.value;
}

async function assertFinalFigures(prometheus: PrometheusInstance, result: RunResult): Promise<void> {
  const calls = await lastValues(prometheus, 'rpcbench_calls_total');
  const errors = await lastValues(prometheus, 'rpcbench_call_errors_total');
  const inFlight = await lastValues(prometheus, 'rpcbench_calls_in_flight');
  const serverCalls = await lastValues(prometheus, 'rpcbench_server_calls_total');
  const buckets = await lastValues(prometheus, 'rpcbench_call_duration_seconds_bucket');
  const counts = await lastValues(prometheus, 'rpcbench_call_duration_seconds_count');
  const sums = await lastValues(prometheus, 'rpcbench_call_duration_seconds_sum');
  assert.equal(calls.length, result.phases.length);
  for (const phase of result.phases) {
    const labels = { scenario: result.scenario.name, phase: phase.label };
    assert.ok(phase.calls > 0);
    assert.equal(one(calls, labels), phase.calls);
    assert.equal(one(inFlight, labels), 0);
    const codes = errors.filter((s) => s.metric.phase === phase.label);
    assert.deepEqual(
      Object.fromEntries(codes.map((s) => [s.metric.code, s.value])),
      phase.errorsByCode,
      `errors by code of ${phase.label}`,
    );
    assert.ok(phase.errors > 0, 'the scenario makes errors, to count them by code');
    for (const server of phase.servers) {
      const serverLabels = { ...labels, server: server.address };
      assert.equal(one(serverCalls, serverLabels), server.clientCount);
      assert.equal(one(counts, serverLabels), server.latency.summary.count);
      const sum = one(sums, serverLabels);
      const expectedSum = (server.latency.summary.meanUs * server.latency.summary.count) / 1e6;
      assert.ok(Math.abs(sum - expectedSum) <= expectedSum * 1e-9, `sum ${sum} against ${expectedSum}`);
      const histogram = decodeHistogram(server.latency.encoded);
      const expected = bucketsOf(histogram);
      histogram.destroy();
      LATENCY_BUCKET_BOUNDS_SECONDS.forEach((bound, index) => {
        assert.equal(one(buckets, { ...serverLabels, le: String(bound) }), expected.cumulative[index]);
      });
      assert.equal(one(buckets, { ...serverLabels, le: '+Inf' }), server.latency.summary.count);
    }
  }
}

test('a real Prometheus scrapes bench --metrics-listen: live during the run, the result totals at the end', {
  timeout: RUN_TIMEOUT_MS,
}, async () => {
  const outDir = await mkdtemp(join(tmpdir(), 'rpcbench-prometheus-run-'));
  let prometheus: PrometheusInstance | undefined;
  const bench = startBench(outDir);
  try {
    const url = await bench.url;
    prometheus = await startPrometheus(new URL(url).host);
    const sawLive = await watchLive(url, bench.exit);
    const { code, stderr } = await bench.exit;
    assert.equal(code, 0, stderr);
    assert.ok(sawLive, 'some answer during the first phase had live figures');
    // The linger is announced, never silent, even with --quiet.
    assert.match(
      stderr,
      /keeping http:\/\/127\.0\.0\.1:\d+\/metrics up until a scrape reads the final figures, at most 60s \(--metrics-linger 0 closes at once\)/,
    );
    const resultPath = /wrote (\S+\.json)/.exec(stderr)?.[1];
    assert.ok(resultPath !== undefined, stderr);
    const result = await readResult(resultPath);
    await waitForFinal(prometheus, result.phases.length);
    await assertFinalFigures(prometheus, result);
  } finally {
    bench.child.kill('SIGKILL');
    await prometheus?.stop();
    await rm(outDir, { recursive: true, force: true });
  }
});
