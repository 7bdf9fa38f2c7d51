import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DROPPED_CALL_CODE } from '../../../src/harness/errors.ts';
import { splitCallBudget, splitEvenly } from '../../../src/harness/load/load-plan.ts';
import { PhaseRecorder } from '../../../src/harness/metrics/phase-recorder.ts';
import { decodeHistogram } from '../../../src/result/histogram.ts';
import { timelineIntervalCap } from '../../../src/result/timeline.ts';
import { RpcError } from '../../../src/util/errors.ts';
import { withAddress } from '../../../src/xclient/errors.ts';

const A = 'tcp@127.0.0.1:1';
const B = 'tcp@127.0.0.1:2';

test('calls are counted per server, errors by code and by server, latencies per interval', () => {
  const startMs = 10_000;
  const recorder = new PhaseRecorder([A, B], startMs, 1_000);
  recorder.ok(A, startMs, startMs + 0.25); // 250 µs, interval 0
  recorder.ok(B, startMs + 500, startMs + 501.5); // 1500 µs, interval 0
  recorder.fail(withAddress(new RpcError('ERR_CONN_CLOSED', 'closed'), B), startMs + 1_200); // interval 1
  recorder.fail(new Error('no code'), startMs + 1_300);
  recorder.ok(A, startMs + 3_000, startMs + 3_010); // interval 3; interval 2 has nothing
  recorder.drop(startMs + 3_100);
  const slice = recorder.finish();
  assert.equal(slice.calls, 6);
  assert.equal(slice.errors, 3);
  assert.deepEqual(slice.errorsByCode, { ERR_CONN_CLOSED: 1, ERR_UNKNOWN: 1, [DROPPED_CALL_CODE]: 1 });
  assert.deepEqual(slice.addresses, [A, B]);
  // The failed call named its server: it counts against B, as one of B's errors.
  assert.deepEqual(slice.clientCounts, [2, 2]);
  assert.deepEqual(slice.serverErrors, [0, 1]);
  assert.equal(slice.intervalMs, 1_000);
  assert.deepEqual(
    slice.timeline.map(({ index, calls, errors, errorsByCode }) => ({ index, calls, errors, errorsByCode })),
    [
      { index: 0, calls: 2, errors: 0, errorsByCode: {} },
      { index: 1, calls: 2, errors: 2, errorsByCode: { ERR_CONN_CLOSED: 1, ERR_UNKNOWN: 1 } },
      { index: 3, calls: 2, errors: 1, errorsByCode: { [DROPPED_CALL_CODE]: 1 } },
    ],
  );
  const intervalZero = decodeHistogram(slice.timeline[0]!.encoded);
  assert.equal(intervalZero.totalCount, 2);
  assert.equal(intervalZero.getValueAtPercentile(0), 250);
  assert.deepEqual(
    slice.timeline.map((entry) => entry.servers.map(({ calls, errors }) => [calls, errors])),
    [
      [
        [1, 0],
        [1, 0],
      ],
      [
        [0, 0],
        [1, 1],
      ],
      [
        [1, 0],
        [0, 0],
      ],
    ],
  );
  assert.equal(decodeHistogram(slice.timeline[0]!.servers[1]!.encoded).getValueAtPercentile(50), 1500);
  assert.equal(slice.timeline[1]!.servers[1]!.encoded, '', 'no successful call to B in interval 1');
  assert.equal(slice.elapsedMs, 3_100);
});

test('the default step is 100 ms', () => {
  const recorder = new PhaseRecorder([A], 0);
  for (let ms = 0; ms < 1_000; ms += 10) recorder.ok(A, ms, ms + 1);
  const slice = recorder.finish();
  assert.equal(slice.intervalMs, 100);
  assert.deepEqual(
    slice.timeline.map((entry) => [entry.index, entry.calls]),
    Array.from({ length: 10 }, (_, i) => [i, 10]),
  );
});

test('a long phase: the step doubles at the cap, neighbours merge at finish(), memory stays bounded', () => {
  const cap = timelineIntervalCap(1);
  const recorder = new PhaseRecorder([A], 0, 10);
  // Ten times the cap's span, one call per millisecond, latency = 1 ms + (ms mod 7) µs.
  const spanMs = cap * 10 * 10;
  let mostHeld = 0;
  for (let ms = 0; ms < spanMs; ms++) {
    recorder.ok(A, ms, ms + 1 + (ms % 7) / 1_000);
    // The call that reaches the cap merges nothing: every interval closed so far is still held.
    if (ms + 1 === cap * 10) assert.equal(recorder.heldIntervals, cap);
    mostHeld = Math.max(mostHeld, recorder.heldIntervals);
  }
  // The cap, then half the cap per doubling: four doublings here.
  assert.ok(mostHeld <= cap + 4 * (cap / 2), `held ${mostHeld} intervals`);
  const slice = recorder.finish();
  assert.ok(slice.timeline.length <= cap, `${slice.timeline.length} intervals, cap ${cap}`);
  assert.equal(slice.intervalMs, 160, 'doubled four times: 10 → 160 ms');
  assert.equal(
    slice.timeline.reduce((sum, entry) => sum + entry.calls, 0),
    spanMs,
  );
  const merged = slice.timeline.map((entry) => decodeHistogram(entry.encoded).totalCount);
  assert.equal(
    merged.reduce((a, b) => a + b, 0),
    spanMs,
    'every latency is still in some interval',
  );
  assert.deepEqual(
    slice.timeline.map((entry) => entry.index),
    slice.timeline.map((_, i) => i),
  );
  // A call is placed by its end: the first interval misses the call ending at 160 ms.
  const inner = slice.timeline.slice(1, -1).filter((entry) => entry.calls !== 160);
  assert.deepEqual(inner, [], 'every whole 160 ms interval holds 160 calls');
  const serverCalls = slice.timeline.map((entry) => entry.servers[0]!.calls);
  assert.deepEqual(
    serverCalls,
    slice.timeline.map((entry) => entry.calls),
  );
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
