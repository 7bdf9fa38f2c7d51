import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkRun, roundRobinRange } from '../../src/gate/correctness.ts';
import { agreeing, fakePhase, fakeResult } from '../fixtures/gate-results.ts';

const outcome = (result: ReturnType<typeof fakeResult>, check: string) => {
  const found = checkRun(result).filter((entry) => entry.check === check);
  assert.equal(found.length, 1, `one ${check} outcome expected`);
  return found[0]!;
};

test('round robin: each server within floor/ceil of calls/n passes', () => {
  // 10 calls over 3 servers: 3 or 4 each.
  const result = fakeResult([fakePhase('roundrobin', 10, agreeing([4, 3, 3]))]);
  assert.deepEqual(roundRobinRange(10, 3, 1), [3, 4]);
  assert.equal(outcome(result, 'roundrobin-fairness').passed, true);
});

test('round robin: one call off floor/ceil fails, with no allowance for noise', () => {
  // 4, 4, 2 is off by one call from the 3..4 range.
  const result = fakeResult([fakePhase('roundrobin', 10, agreeing([4, 4, 2]))]);
  const fairness = outcome(result, 'roundrobin-fairness');
  assert.equal(fairness.passed, false);
  assert.match(fairness.actual, /4, 4, 2/);
  assert.match(fairness.expected, /3\.\.4 of 10/);
});

test('round robin is judged from the servers own counts, not the clients', () => {
  // The clients believe the split was even; the servers counted otherwise.
  const phase = fakePhase('roundrobin', 9, [
    { clientCount: 3, serverCount: 5 },
    { clientCount: 3, serverCount: 2 },
    { clientCount: 3, serverCount: 2 },
  ]);
  assert.equal(outcome(fakeResult([phase]), 'roundrobin-fairness').passed, false);
});

test('round robin with several load threads allows one call per extra thread, no more', () => {
  assert.deepEqual(roundRobinRange(10, 3, 2), [2, 5]);
  const result = fakeResult([fakePhase('roundrobin', 10, agreeing([5, 3, 2]))], { loadThreads: 2 });
  assert.equal(outcome(result, 'roundrobin-fairness').passed, true);
  const beyond = fakeResult([fakePhase('roundrobin', 10, agreeing([6, 2, 2]))], { loadThreads: 2 });
  assert.equal(outcome(beyond, 'roundrobin-fairness').passed, false);
});

test('other modes get no round-robin check', () => {
  const result = fakeResult([fakePhase('random', 10, agreeing([8, 1, 1]))]);
  assert.equal(checkRun(result).filter((entry) => entry.check === 'roundrobin-fairness').length, 0);
});

test('broadcast: every server must handle every broadcast', () => {
  const reached = fakeResult([fakePhase('broadcast', 7, agreeing([7, 7, 7]))]);
  assert.equal(outcome(reached, 'broadcast-reach').passed, true);
  const missed = fakeResult([fakePhase('broadcast', 7, agreeing([7, 6, 7]))]);
  assert.equal(outcome(missed, 'broadcast-reach').passed, false);
});

test('lost calls: a call a server handled without an outcome at the client fails', () => {
  const lost = fakePhase('random', 10, [
    { clientCount: 5, serverCount: 5 },
    { clientCount: 5, serverCount: 6 },
  ]);
  const check = outcome(fakeResult([lost]), 'no-lost-calls');
  assert.equal(check.passed, false);
  assert.match(check.actual, /handled 6, 5 outcomes came back/);
});

test('lost calls: outcomes must add up to the calls made, once each', () => {
  const counted = fakeResult([fakePhase('random', 10, agreeing([5, 5]))]);
  assert.equal(outcome(counted, 'no-lost-calls').passed, true);
  const short = fakeResult([fakePhase('random', 11, agreeing([5, 5]))]);
  assert.equal(outcome(short, 'no-lost-calls').passed, false);
  const broadcast = fakeResult([fakePhase('broadcast', 4, agreeing([4, 4, 4]))]);
  assert.equal(outcome(broadcast, 'no-lost-calls').passed, true);
});

test('a scenario that crashes servers on purpose skips the call checks', () => {
  const result = fakeResult([fakePhase('roundrobin', 10, agreeing([9, 1]))], {
    servers: { behaviour: {}, overrides: { '1': { crash: { atMs: 100 } } } },
  });
  assert.deepEqual(
    checkRun(result).map((entry) => entry.check),
    ['complete-run'],
  );
});

test('failed thresholds and interrupted runs fail', () => {
  const result = fakeResult([fakePhase('random', 10, agreeing([5, 5]))]);
  result.thresholds = [
    { expression: 'p99 < 1ms', metric: 'p99Us', phase: 'random', actual: 2500, passed: false },
  ];
  result.partial = true;
  const failed = checkRun(result).filter((entry) => !entry.passed);
  assert.deepEqual(failed.map((entry) => entry.check).sort(), ['complete-run', 'threshold']);
});

test('a target without server counts (handled null) is checked from the client side and never fails on null', () => {
  const counted = (clientCount: number) => ({ clientCount, serverCount: null });
  const even = fakePhase('roundrobin', 10, [counted(4), counted(3), counted(3)]);
  const result = fakeResult([even]);
  const lost = outcome(result, 'no-lost-calls');
  assert.equal(lost.passed, true, lost.actual);
  assert.doesNotMatch(lost.actual, /null/);
  const fairness = outcome(result, 'roundrobin-fairness');
  assert.equal(fairness.passed, true, fairness.actual);
  assert.match(fairness.actual, /client counts 4, 3, 3/);
  // The client side still catches a call that got no outcome.
  const short = fakePhase('roundrobin', 11, [counted(4), counted(3), counted(3)]);
  assert.equal(outcome(fakeResult([short]), 'no-lost-calls').passed, false);
  const reached = fakePhase('broadcast', 5, [counted(5), counted(5)]);
  assert.equal(outcome(fakeResult([reached]), 'broadcast-reach').passed, true);
});
