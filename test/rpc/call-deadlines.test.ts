import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { test } from 'node:test';
import { CallDeadlines } from '../../src/rpc/call-deadlines.ts';

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Deadlines kept as a client keeps its calls': expire() drops those due and answers the earliest left. */
function deadlineTable() {
  let left: number[] = [];
  const expiries: { nowMs: number; expired: number[] }[] = [];
  const deadlines = new CallDeadlines((nowMs) => {
    expiries.push({ nowMs, expired: left.filter((deadlineMs) => deadlineMs <= nowMs) });
    left = left.filter((deadlineMs) => deadlineMs > nowMs);
    return Math.min(...left, Number.POSITIVE_INFINITY);
  });
  const add = (deadlineMs: number) => {
    left.push(deadlineMs);
    deadlines.add(deadlineMs, performance.now());
  };
  return { deadlines, add, expiries, left: () => left };
}

test('one timer for many deadlines: it fires once per due time, never before a deadline, and again for the next', async () => {
  const { add, expiries, left } = deadlineTable();
  const startMs = performance.now();
  // A thousand calls with one timeout, then a later one and, sent last, an earlier one.
  for (let i = 0; i < 1_000; i++) add(startMs + 60 + i / 1_000);
  add(startMs + 150);
  add(startMs + 20);
  while (left().length > 0 && performance.now() - startMs < 5_000) await sleep(10);
  assert.deepEqual(left(), [], 'every deadline expired');
  assert.ok(expiries.length <= 4, `${expiries.length} firings for 1,002 deadlines`);
  for (const { nowMs, expired } of expiries) {
    for (const deadlineMs of expired) assert.ok(deadlineMs <= nowMs, 'never expired before its deadline');
  }
  assert.deepEqual(
    expiries.filter(({ expired }) => expired.length > 0)[0]!.expired,
    [startMs + 20],
    'the earlier deadline added last expires first, on its own',
  );
});

test('stop() ends the timer: nothing expires after it', async () => {
  const { deadlines, add, expiries } = deadlineTable();
  add(performance.now() + 20);
  deadlines.stop();
  await sleep(60);
  assert.deepEqual(expiries, []);
});
