import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DROPPED_CALL_CODE } from '../src/harness/errors.ts';
import { splitCallBudget, splitEvenly } from '../src/harness/load/split.ts';
import { PhaseRecorder } from '../src/harness/metrics/phase-recorder.ts';
import { decodeHistogram } from '../src/result/histogram.ts';
import { RpcError } from '../src/util/errors.ts';
import { withAddress } from '../src/xclient/errors.ts';

const A = 'tcp@127.0.0.1:1';
const B = 'tcp@127.0.0.1:2';

test('calls are counted per server, errors by code, latencies per second', () => {
  const startMs = 10_000;
  const recorder = new PhaseRecorder([A, B], startMs);
  recorder.ok(A, startMs, startMs + 0.25); // 250 µs, second 0
  recorder.ok(B, startMs + 500, startMs + 501.5); // 1500 µs, second 0
  recorder.fail(withAddress(new RpcError('ERR_CONN_CLOSED', 'closed'), B), startMs + 1_200); // second 1
  recorder.fail(new Error('no code'), startMs + 1_300);
  recorder.ok(A, startMs + 3_000, startMs + 3_010); // second 3; second 2 has nothing
  recorder.drop(startMs + 3_100);
  const slice = recorder.finish();
  assert.equal(slice.calls, 6);
  assert.equal(slice.errors, 3);
  assert.deepEqual(slice.errorsByCode, { ERR_CONN_CLOSED: 1, ERR_UNKNOWN: 1, [DROPPED_CALL_CODE]: 1 });
  assert.deepEqual(slice.addresses, [A, B]);
  // The failed call named its server: it counts against B.
  assert.deepEqual(slice.clientCounts, [2, 2]);
  assert.deepEqual(
    slice.timeline.map(({ second, calls, errors }) => ({ second, calls, errors })),
    [
      { second: 0, calls: 2, errors: 0 },
      { second: 1, calls: 2, errors: 2 },
      { second: 3, calls: 2, errors: 1 },
    ],
  );
  const secondZero = decodeHistogram(slice.timeline[0]!.encoded);
  assert.equal(secondZero.totalCount, 2);
  assert.equal(secondZero.getValueAtPercentile(0), 250);
  assert.equal(decodeHistogram(slice.serverHistograms[0]!).totalCount, 2);
  assert.equal(decodeHistogram(slice.serverHistograms[1]!).totalCount, 1);
  assert.equal(slice.elapsedMs, 3_100);
});

test('a broadcast counts every server and fails when one does', () => {
  const recorder = new PhaseRecorder([A, B], 0);
  recorder.broadcast(
    [
      { address: A, reply: 1, latencyMs: 1 },
      { address: B, reply: 1, latencyMs: 2 },
    ],
    0,
    2,
  );
  recorder.broadcast(
    [
      { address: A, reply: 1, latencyMs: 1 },
      { address: B, error: new RpcError('ERR_REMOTE', 'boom'), latencyMs: 1 },
    ],
    2,
    3,
  );
  const slice = recorder.finish();
  assert.equal(slice.calls, 2);
  assert.equal(slice.errors, 1);
  assert.deepEqual(slice.errorsByCode, { ERR_REMOTE: 1 });
  assert.deepEqual(slice.clientCounts, [2, 2]);
  assert.equal(decodeHistogram(slice.serverHistograms[0]!).totalCount, 2);
  assert.equal(decodeHistogram(slice.serverHistograms[1]!).totalCount, 1);
});

test('budgets split evenly, and in multiples of the server count across threads', () => {
  assert.deepEqual(splitEvenly(10, 3), [4, 3, 3]);
  assert.deepEqual(splitEvenly(2, 4), [1, 1, 0, 0]);
  assert.deepEqual(splitCallBudget(300, 1, 7), [300]);
  assert.deepEqual(splitCallBudget(100, 3, 3), [33, 33, 34]);
  assert.deepEqual(splitCallBudget(1_000, 4, 3), [249, 249, 249, 253]);
});

test('after finish() late calls are not recorded, and a second finish() is refused', () => {
  const recorder = new PhaseRecorder([A], 0);
  recorder.ok(A, 0, 1);
  const slice = recorder.finish();
  assert.equal(slice.calls, 1);
  // A call abandoned at the end that completes later: ignored, not recorded into freed memory.
  recorder.ok(A, 0, 2);
  recorder.fail(new RpcError('ERR_CONN_CLOSED', 'closed'), 3);
  recorder.drop(4);
  recorder.broadcast([{ address: A, reply: 1, latencyMs: 1 }], 4, 5);
  assert.equal(recorder.calls, 1);
  assert.equal(recorder.errors, 0);
  assert.equal(recorder.currentP99Us(), 1000);
  recorder.discard();
  assert.throws(() => recorder.finish(), { code: 'ERR_RECORDER_RELEASED' });
});

test('a discarded recorder, as after a warm-up, records nothing more and cannot be finished', () => {
  const recorder = new PhaseRecorder([A, B], 0);
  recorder.ok(B, 0, 1);
  recorder.discard();
  recorder.discard();
  recorder.ok(B, 0, 1);
  assert.equal(recorder.calls, 1);
  assert.throws(() => recorder.finish(), { code: 'ERR_RECORDER_RELEASED' });
});
