import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runCoreBench } from '../src/benchmarks/core/run-core-bench.ts';
import { evaluateTargets } from '../src/benchmarks/core/targets.ts';

test('a short core benchmark run answers every case on one connection, in rotated rounds', async () => {
  const started: string[] = [];
  const result = await runCoreBench({
    durationMs: 150,
    warmupMs: 50,
    rounds: 2,
    kinds: ['msgpack', 'json', 'raw'],
    onRunStart: (spec, round) => started.push(`${round}:${spec.id}`),
  });
  assert.deepEqual(
    result.cases.map((entry) => entry.id),
    ['msgpack@1', 'msgpack@64', 'json@1', 'json@64', 'raw@1', 'raw@64'],
  );
  for (const entry of result.cases) {
    assert.equal(entry.errors, 0, `${entry.id}: ${entry.runs.find((run) => run.firstError)?.firstError}`);
    assert.equal(entry.runs.length, 2);
    for (const run of entry.runs) {
      assert.ok(run.calls > 0, `${entry.id} completed no call`);
      assert.equal(run.latency.count, run.calls);
      assert.ok(run.latency.p50Us <= run.latency.p99Us && run.latency.p99Us <= run.latency.maxUs);
      assert.equal(run.stalled, 0);
    }
  }
  // One unrecorded pass, then each round starts one case further on.
  assert.deepEqual(started.slice(0, 7), [
    '-1:msgpack@1',
    '-1:msgpack@64',
    '-1:json@1',
    '-1:json@64',
    '-1:raw@1',
    '-1:raw@64',
    '0:msgpack@1',
  ]);
  assert.equal(started[12], '1:msgpack@64');
  const grpc = result.targets.find((target) => target.expression.includes('grpc'));
  assert.equal(grpc?.passed, null, 'a target whose case did not run is neither met nor missed');
  const rawShare = result.targets.find((target) => target.expression.startsWith('msgpack@64 calls/s ≥ 30'));
  const msgpack = result.cases.find((entry) => entry.id === 'msgpack@64')!;
  const raw = result.cases.find((entry) => entry.id === 'raw@64')!;
  assert.equal(rawShare?.actual, msgpack.callsPerSecond / raw.callsPerSecond);
});

test('targets compare the 64-in-flight medians and say which are met', () => {
  const figures = new Map([
    ['msgpack@64', { callsPerSecond: 300_000, p99Us: 1_200 }],
    ['json@64', { callsPerSecond: 150_000, p99Us: 900 }],
    ['grpc@64', { callsPerSecond: 40_000, p99Us: 9_000 }],
    ['raw@64', { callsPerSecond: 800_000, p99Us: 100 }],
    ['gob@64', { callsPerSecond: 225_000, p99Us: 1_000 }],
    ['go-server@64', { callsPerSecond: 90_000, p99Us: 2_000 }],
    ['go-client@64', { callsPerSecond: 100_000, p99Us: 2_000 }],
  ]);
  const outcomes = evaluateTargets(figures);
  assert.deepEqual(
    outcomes.map(({ expression, actual, passed }) => ({ expression, actual, passed })),
    [
      { expression: 'msgpack@64 calls/s ≥ 10× grpc@64', actual: 7.5, passed: false },
      { expression: 'msgpack@64 calls/s ≥ 30 % of raw@64', actual: 0.375, passed: true },
      { expression: 'msgpack@64 p99 < 1 ms', actual: 1.2, passed: false },
      { expression: 'json@64 calls/s ≥ 20 % of raw@64', actual: 0.1875, passed: false },
      { expression: 'gob@64 calls/s ≥ 70 % of msgpack@64', actual: 0.75, passed: true },
      { expression: 'go-server@64 calls/s ≥ 1× go-client@64', actual: 0.9, passed: false },
    ],
  );
  const failedCase = evaluateTargets(new Map([['msgpack@64', { callsPerSecond: 0, p99Us: 0 }]]));
  assert.equal(failedCase[2]!.passed, false, 'a case whose calls all failed does not meet a latency target');
});
