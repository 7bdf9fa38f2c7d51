import assert from 'node:assert/strict';
import { test } from 'node:test';
import { errorOutcome, newSide, recordWindow } from '../../../src/gate/duet/duet-side.ts';
import { serverCountOutcome } from '../../../src/gate/duet/server-counts.ts';
import type { RpcProbe } from '../../../src/gate/measure/probe.ts';
import { measureWindow } from '../../../src/gate/measure/window.ts';
import { CheckFailedError } from '../../../src/harness/errors.ts';
import { RpcError } from '../../../src/util/errors.ts';

/** Calls that fail in a fixed pattern: the grouping is what is checked, not a network. */
function failingCalls(): RpcProbe {
  let i = 0;
  const calls = {
    async call(): Promise<unknown> {
      const n = i++;
      if (n % 10 === 1) throw new CheckFailedError('', `reply ${n} refused`);
      if (n % 10 === 2) throw new RpcError('ERR_REMOTE', 'handler failed \x1b[2J\ncleared');
      if (n === 5) throw new TypeError('not an rpc error');
      return n;
    },
    async close(): Promise<void> {},
  };
  return calls as unknown as RpcProbe;
}

test('failed calls are grouped by error code, the most frequent first, each with its first message escaped', async () => {
  const side = newSide('B', failingCalls(), undefined);
  const measurement = await measureWindow(side.calls, { concurrency: 1, durationMs: 10_000, maxCalls: 40 });
  recordWindow(side, measurement, true);
  const outcome = errorOutcome('s', 'roundrobin', side);
  assert.equal(outcome.passed, false);
  assert.equal(outcome.phase, 'roundrobin › B');
  assert.equal(
    outcome.actual,
    '9 of 40 failed: ERR_CHECK 4 (first: check failed: reply 1 refused); ' +
      'ERR_REMOTE 4 (first: handler failed \\x1b[2J cleared); ERR_UNKNOWN 1 (first: not an rpc error)',
  );
  assert.deepEqual(side.calls.errors.get('ERR_CHECK')?.count, 4);
  assert.equal(side.windows.length, 1);
});

test('a side with no failed call passes, one that answered nothing does not', () => {
  const side = newSide('A', failingCalls(), undefined);
  recordWindow(side, { calls: 12, errors: 0, firstError: undefined, wallMs: 100, cpuUs: 1 }, false);
  assert.deepEqual(errorOutcome('s', 'p', side), {
    scenario: 's',
    phase: 'p › A',
    check: 'call-errors',
    expected: 'no call fails (errors and call.check)',
    actual: '12 of 12 answered',
    passed: true,
  });
  assert.equal(side.windows.length, 0, 'a warm-up window is counted, not kept');
  assert.equal(errorOutcome('s', 'p', newSide('A', failingCalls(), undefined)).passed, false);
});

test('server counts: every answered call counted and none beyond those sent; unread pages fail nothing', () => {
  const side = newSide('A', failingCalls(), undefined);
  side.answered = 100;
  side.failed = 3;
  const counts = (...values: (number | undefined)[]) =>
    new Map(values.map((value, i) => [`tcp@127.0.0.1:${i + 1}`, value]));
  const check = (after: Map<string, number | undefined>, broadcast = false) =>
    serverCountOutcome('s', 'p', side, counts(10, 0), after, broadcast);
  assert.equal(check(counts(60, 50))?.passed, true, '100 counted');
  assert.equal(check(counts(62, 51))?.passed, true, '103 counted: the failed calls reached the handler');
  assert.equal(check(counts(59, 50))?.passed, false, 'one answered call not counted');
  assert.equal(check(counts(63, 51))?.passed, false, 'more counted than sent');
  assert.equal(check(counts(60, 50))?.expected, '100..103 counted');
  assert.equal(check(counts(110, 100), true)?.passed, true, 'a broadcast reaches both servers');
  assert.equal(check(counts(60, undefined)), undefined, 'a page not read: no row');
  assert.equal(check(counts(5, 100)), undefined, 'a count that went back (restarted server): no row');
});
