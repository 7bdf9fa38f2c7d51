import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  ArrivalSchedule,
  concurrencyAt,
  levelAt,
  nextRunMs,
  peakLevel,
  type RampSchedule,
  scheduleDurationMs,
} from '../../../src/harness/load/load-schedule.ts';

/** Calls the schedule makes due strictly before `endMs`. */
function callsBefore(schedule: RampSchedule, endMs: number): number[] {
  const arrivals = new ArrivalSchedule(schedule);
  const due: number[] = [];
  for (let index = 0; ; index++) {
    const atMs = arrivals.dueMs(index);
    if (!(atMs < endMs)) return due;
    due.push(atMs);
  }
}

test('each stage ramps linearly from the previous target, the first from the start level', () => {
  const schedule: RampSchedule = {
    start: 0,
    stages: [
      { durationMs: 1_000, target: 100 },
      { durationMs: 1_000, target: 100 },
      { durationMs: 2_000, target: 0 },
    ],
  };
  assert.equal(levelAt(schedule, 0), 0);
  assert.equal(levelAt(schedule, 500), 50);
  assert.equal(levelAt(schedule, 1_500), 100);
  assert.equal(levelAt(schedule, 3_000), 50);
  assert.equal(levelAt(schedule, 9_000), 0);
  assert.equal(scheduleDurationMs(schedule), 4_000);
  assert.equal(peakLevel(schedule), 100);
});

test('a constant rate spaces calls 1/rate apart from the start', () => {
  const due = callsBefore({ start: 200, stages: [] }, 1_000);
  assert.equal(due.length, 200);
  assert.equal(due[0], 0);
  assert.ok(Math.abs(due[1]! - 5) < 1e-9);
  assert.ok(Math.abs(due[199]! - 995) < 1e-9);
});

test('a ramp from 0 to N over T makes N*T/2 calls, due where the integral of the rate reaches each count', () => {
  // 0 -> 400/s over 2 s: the integral is 100 t^2 (t in s), so call k is due at sqrt(k/100) s.
  const due = callsBefore({ start: 0, stages: [{ durationMs: 2_000, target: 400 }] }, 2_000);
  assert.equal(due.length, 400);
  for (const k of [0, 1, 25, 100, 399]) {
    assert.ok(Math.abs(due[k]! - Math.sqrt(k / 100) * 1_000) < 1e-6, `call ${k} at ${due[k]} ms`);
  }
  // Gaps shrink as the rate rises.
  assert.ok(due[2]! - due[1]! > due[399]! - due[398]!);
});

test('falling and flat stages, then the last rate held after the stages', () => {
  const schedule: RampSchedule = {
    start: 100,
    stages: [
      { durationMs: 1_000, target: 300 },
      { durationMs: 1_000, target: 300 },
      { durationMs: 1_000, target: 0 },
    ],
  };
  // 200 calls in the rise, 300 while flat, 150 in the fall, and none after it (the rate stays 0).
  assert.equal(callsBefore(schedule, 1_000).length, 200);
  assert.equal(callsBefore(schedule, 2_000).length, 500);
  const all = callsBefore(schedule, Number.POSITIVE_INFINITY);
  assert.equal(all.length, 650);
  assert.ok(all.every((atMs, index) => index === 0 || atMs > all[index - 1]!));
  const held = callsBefore({ start: 0, stages: [{ durationMs: 1_000, target: 100 }] }, 2_000);
  assert.equal(held.length, 50 + 100);
});

test('closed model: the callers running at a time are the ramp level rounded down', () => {
  const schedule: RampSchedule = {
    start: 1,
    stages: [
      { durationMs: 1_000, target: 11 },
      { durationMs: 1_000, target: 3 },
    ],
  };
  assert.equal(concurrencyAt(schedule, 0), 1);
  assert.equal(concurrencyAt(schedule, 99), 1);
  assert.equal(concurrencyAt(schedule, 100), 2);
  assert.equal(concurrencyAt(schedule, 1_000), 11);
  assert.equal(concurrencyAt(schedule, 1_500), 7);
  assert.equal(concurrencyAt(schedule, 5_000), 3);
});

test('closed model: a waiting caller resumes where the ramp reaches its number, or never', () => {
  const schedule: RampSchedule = {
    start: 1,
    stages: [
      { durationMs: 1_000, target: 11 },
      { durationMs: 1_000, target: 1 },
      { durationMs: 1_000, target: 6 },
    ],
  };
  assert.equal(nextRunMs(schedule, 0, 0), 0);
  assert.ok(Math.abs(nextRunMs(schedule, 4, 0) - 400) < 1e-9);
  // Caller 4 (the fifth) is retired at 1,600 ms by the ramp-down and needed again at 2,800 ms.
  assert.equal(concurrencyAt(schedule, 1_700), 4);
  assert.ok(Math.abs(nextRunMs(schedule, 4, 1_700) - 2_800) < 1e-9);
  assert.equal(nextRunMs(schedule, 10, 1_200), Number.POSITIVE_INFINITY);
  // A stage that ends exactly on the caller's number, then holds it.
  const plateau: RampSchedule = {
    start: 0,
    stages: [
      { durationMs: 1_000, target: 2 },
      { durationMs: 1_000, target: 2 },
    ],
  };
  assert.equal(nextRunMs(plateau, 1, 0), 1_000);
});
