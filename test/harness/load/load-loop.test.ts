import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { test } from 'node:test';
import { LoadLoop, type LoopBounds, type LoopSlot } from '../../../src/harness/load/load-loop.ts';

/** A driver whose calls end after `serviceMs` (or never, for the callers in `hung`). */
function timedLoop(bounds: LoopBounds, serviceMs: number, hung: ReadonlySet<number> = new Set()) {
  const ends: number[] = [];
  const starts: number[] = [];
  let inFlight = 0;
  let peak = 0;
  const loop: LoadLoop<LoopSlot> = new LoadLoop(
    {
      slot: (caller) => ({ caller, startedMs: 0 }),
      start: (slot) => {
        peak = Math.max(peak, ++inFlight);
        starts.push(slot.startedMs);
        if (hung.has(slot.caller)) return;
        setTimeout(() => {
          inFlight--;
          const endMs = performance.now();
          ends.push(endMs);
          loop.end(slot, endMs);
        }, serviceMs);
      },
    },
    bounds,
  );
  return { loop, ends, starts, peak: () => peak };
}

const BOUNDS: LoopBounds = {
  callers: 4,
  warmupMs: 0,
  durationMs: 200,
  maxCalls: 1_000_000,
  drainTimeoutMs: 1_000,
};

test('the load loop keeps `callers` calls in flight and stops starting calls at the end of its time', async () => {
  const { loop, ends, starts, peak } = timedLoop(BOUNDS, 5);
  const outcome = await loop.run();
  assert.equal(peak(), 4);
  assert.equal(outcome.stalled, 0);
  assert.equal(outcome.started, ends.length, 'every call started has ended');
  assert.ok(ends.length >= 4, `${ends.length} calls`);
  // A call starts as its caller's previous one ends, and never at or after the end of the time.
  assert.ok(Math.max(...starts) < loop.measureUntilMs);
});

test('the load loop stops after maxCalls, whatever the time, and its measured time ends there', async () => {
  const { loop } = timedLoop({ ...BOUNDS, durationMs: 60_000, maxCalls: 10 }, 1);
  const startMs = performance.now();
  const outcome = await loop.run();
  assert.equal(outcome.started, 10);
  assert.ok(performance.now() - startMs < 5_000, 'it did not wait for the time to pass');
  assert.ok(outcome.measureEndedMs > 0);
});

test('warm-up, then measure: the hooks mark the instants, once each', async () => {
  const marks: string[] = [];
  let fromMs = 0;
  let endedMs = 0;
  const calls: number[] = [];
  const loop: LoadLoop<LoopSlot> = new LoadLoop(
    {
      slot: (caller) => ({ caller, startedMs: 0 }),
      start: (slot) => {
        setTimeout(() => {
          const nowMs = performance.now();
          calls.push(nowMs);
          loop.end(slot, nowMs);
        }, 2);
      },
    },
    { ...BOUNDS, warmupMs: 300, durationMs: 100 },
    {
      measureStarted: (nowMs) => {
        marks.push('start');
        fromMs = nowMs;
      },
      measureEnded: (nowMs) => {
        marks.push('end');
        endedMs = nowMs;
      },
    },
  );
  await loop.run();
  assert.deepEqual(marks, ['start', 'end']);
  assert.ok(fromMs >= loop.measureFromMs, 'measuring starts at the first end after the warm-up');
  assert.ok(
    calls.some((atMs) => atMs < loop.measureFromMs),
    'calls ran during the warm-up',
  );
  assert.ok(endedMs >= loop.measureUntilMs - 2, `${endedMs - loop.measureUntilMs} ms`);
});

test('a call that never ends is given up on after the drain timeout: run() still resolves', async () => {
  const { loop } = timedLoop({ ...BOUNDS, durationMs: 100, drainTimeoutMs: 150 }, 2, new Set([0]));
  const startMs = performance.now();
  const outcome = await loop.run();
  assert.equal(outcome.stalled, 1);
  assert.ok(performance.now() - startMs < 2_000);
});

test('a paced caller waits while the driver says so, and retires when its wait outlasts the time', async () => {
  const started: number[] = [];
  const loop: LoadLoop<LoopSlot> = new LoadLoop(
    {
      slot: (caller) => ({ caller, startedMs: 0 }),
      start: (slot) => {
        started.push(slot.caller);
        setTimeout(() => loop.end(slot, performance.now()), 2);
      },
      // Caller 1 is never wanted: its wait always reaches past the end.
      waitMs: (slot) => (slot.caller === 1 ? 10_000 : 0),
    },
    { ...BOUNDS, callers: 2, durationMs: 100 },
  );
  const outcome = await loop.run();
  assert.ok(started.length > 5);
  assert.ok(started.every((caller) => caller === 0));
  assert.equal(outcome.stalled, 0);
});
