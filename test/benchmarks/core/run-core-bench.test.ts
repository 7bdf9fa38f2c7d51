import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runCoreBench } from '../../../src/benchmarks/core/run-core-bench.ts';
import { evaluateTargets } from '../../../src/benchmarks/core/targets.ts';

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
      // A percentile reads its bucket's highest value: up to 0.1 % (three digits) above the largest recorded.
      assert.ok(run.latency.p50Us <= run.latency.p99Us && run.latency.p99Us <= run.latency.maxUs * 1.001 + 1);
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
  const ratios = msgpack.runs.map((run, round) => run.callsPerSecond / raw.runs[round]!.callsPerSecond);
  assert.deepEqual(rawShare?.roundRatios, ratios);
  assert.ok(
    Math.abs(rawShare!.actual! - (ratios[0]! + ratios[1]!) / 2) < 1e-12,
    'the median of two rounds is their mean',
  );
});

/** A case's figures as one round made them. */
function oneRound(callsPerSecond: number, p99Us: number, cpuUsPerCall = 5) {
  return { callsPerSecond, p99Us, runs: [{ callsPerSecond, cpuUsPerCall }] };
}

test('targets compare the 64-in-flight figures and say which are met', () => {
  const figures = new Map([
    ['msgpack@64', oneRound(300_000, 1_200, 4.5)],
    ['json@64', oneRound(150_000, 450, 6)],
    ['grpc@64', oneRound(40_000, 9_000)],
    ['raw@64', oneRound(800_000, 100)],
    ['gob@64', oneRound(225_000, 1_000, 4)],
    ['go-server@64', oneRound(90_000, 2_000)],
    ['go-client@64', oneRound(100_000, 2_000)],
  ]);
  const outcomes = evaluateTargets(figures);
  assert.deepEqual(
    outcomes.map(({ expression, actual, passed }) => ({ expression, actual, passed })),
    [
      { expression: 'msgpack@64 calls/s ≥ 10× grpc@64', actual: 7.5, passed: false },
      { expression: 'msgpack@64 calls/s ≥ 30 % of raw@64', actual: 0.375, passed: true },
      { expression: 'msgpack@64 p99 < 0.5 ms', actual: 1.2, passed: false },
      { expression: 'json@64 p99 < 0.5 ms', actual: 0.45, passed: true },
      { expression: 'json@64 calls/s ≥ 20 % of raw@64', actual: 0.1875, passed: false },
      { expression: 'gob@64 calls/s ≥ 70 % of msgpack@64', actual: 0.75, passed: true },
      { expression: 'msgpack@64 CPU/call ≤ 1.1× gob@64', actual: 1.125, passed: false },
      { expression: 'json@64 CPU/call ≤ 1.4× gob@64', actual: 1.5, passed: false },
      { expression: 'go-server@64 calls/s ≥ 1× go-client@64', actual: 0.9, passed: false },
    ],
  );
  const failedCase = evaluateTargets(new Map([['msgpack@64', oneRound(0, 0)]]));
  assert.equal(failedCase[2]!.passed, false, 'a case whose calls all failed does not meet a latency target');
});

test('a ratio target is the median of the ratios within each round, not the ratio of the medians', () => {
  // The machine slows down in rounds 2 and 3: both cases drop together, and the ratio holds.
  const msgpack = [300_000, 100_000, 120_000, 310_000, 290_000];
  const gob = [270_000, 90_000, 110_000, 100_000, 260_000];
  const figures = new Map([
    [
      'msgpack@64',
      {
        callsPerSecond: 290_000,
        p99Us: 500,
        runs: msgpack.map((callsPerSecond) => ({ callsPerSecond, cpuUsPerCall: 4 })),
      },
    ],
    [
      'gob@64',
      {
        callsPerSecond: 110_000,
        p99Us: 500,
        runs: gob.map((callsPerSecond) => ({ callsPerSecond, cpuUsPerCall: 4 })),
      },
    ],
  ]);
  const target = evaluateTargets(figures).find((outcome) => outcome.expression.startsWith('gob@64'))!;
  assert.deepEqual(
    target.roundRatios,
    gob.map((rate, round) => rate / msgpack[round]!),
  );
  assert.equal(target.actual, 0.9, 'the median of 0.9, 0.9, 0.917, 0.323 and 0.897');
  assert.equal(target.passed, true);
  const noReference = evaluateTargets(
    new Map([
      ['gob@64', oneRound(1, 1)],
      ['msgpack@64', oneRound(0, 1)],
    ]),
  );
  assert.equal(noReference.find((outcome) => outcome.expression.startsWith('gob@64'))!.actual, null);
});

test('a CPU target compares CPU per call within each round, and a round without calls counts for nothing', () => {
  const round = (callsPerSecond: number, cpuUsPerCall: number) => ({ callsPerSecond, cpuUsPerCall });
  const figures = new Map([
    [
      'gob@64',
      { callsPerSecond: 1, p99Us: 1, runs: [round(300_000, 4), round(100_000, 8), round(300_000, 4)] },
    ],
    // Round 2's machine is twice as slow for both: the ratio holds. Round 3 made no call.
    [
      'msgpack@64',
      { callsPerSecond: 1, p99Us: 1, runs: [round(310_000, 4.2), round(90_000, 8.4), round(0, 0)] },
    ],
  ]);
  const target = evaluateTargets(figures).find((outcome) => outcome.expression.startsWith('msgpack@64 CPU'))!;
  assert.equal(target.roundRatios.length, 2, 'the round where msgpack made no call is left out');
  assert.ok(Math.abs(target.actual! - 1.05) < 1e-12);
  assert.equal(target.passed, true);
  const dearer = evaluateTargets(
    new Map([
      ['gob@64', oneRound(1, 1, 4)],
      ['msgpack@64', oneRound(1, 1, 4.5)],
    ]),
  ).find((outcome) => outcome.expression.startsWith('msgpack@64 CPU'))!;
  assert.equal(dearer.passed, false, '1.125× is above 1.1×');
});
