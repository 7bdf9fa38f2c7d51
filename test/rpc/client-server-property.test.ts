import assert from 'node:assert/strict';
import { getEventListeners, once } from 'node:events';
import { connect } from 'node:net';
import { test } from 'node:test';
import fc from 'fast-check';
import { Client, resolveClientOptions } from '../../src/rpc/client.ts';
import type { CodecName } from '../../src/rpc/codec/codec.ts';
import { RemoteError } from '../../src/rpc/errors.ts';
import { Server } from '../../src/rpc/server/server.ts';
import type { CallContext } from '../../src/rpc/server/service.ts';
import { isRpcError } from '../../src/util/errors.ts';

/** What a handler does: answers after a delay, or fails in one of the ways a handler can. */
type Behaviour =
  | { kind: 'reply'; delayMs: number }
  | { kind: 'throw' | 'reject'; failure: number; delayMs: number }
  | { kind: 'stubborn'; delayMs: number };

/** Failure values and the error text each must become. */
const FAILURES: [() => unknown, string][] = [
  [() => new Error('boom'), 'boom'],
  [() => 'text', 'text'],
  [() => '', 'rpc server: handler failed: string'],
  [() => undefined, 'rpc server: handler failed: undefined'],
  [() => null, 'rpc server: handler failed: null'],
  [() => Object.create(null), 'rpc server: handler failed: object'],
  [() => Object.assign(new Error(''), { name: '' }), 'rpc server: handler failed: Error'],
];

interface Call {
  behaviour: Behaviour;
  timeoutMs: number;
  abortAfterMs: number | undefined;
}

const behaviour: fc.Arbitrary<Behaviour> = fc.oneof(
  fc.record({ kind: fc.constant('reply' as const), delayMs: fc.integer({ min: 0, max: 15 }) }),
  fc.record({
    kind: fc.constantFrom('throw' as const, 'reject' as const),
    failure: fc.integer({ min: 0, max: FAILURES.length - 1 }),
    delayMs: fc.integer({ min: 0, max: 15 }),
  }),
  fc.record({ kind: fc.constant('stubborn' as const), delayMs: fc.integer({ min: 0, max: 30 }) }),
);

const scenario = fc.record({
  codec: fc.constantFrom<CodecName>('application/msgpack', 'application/json', 'application/gob'),
  handleTimeoutMs: fc.constantFrom(0, 10),
  calls: fc.array(
    fc.record({
      behaviour,
      timeoutMs: fc.constantFrom(0, 0, 5, 40),
      abortAfterMs: fc.option(fc.integer({ min: 0, max: 20 }), { nil: undefined }),
    }),
    { minLength: 1, maxLength: 12 },
  ),
  /** How the run ends: every call awaited, the client half-closing or closing after some time. */
  ending: fc.oneof(
    fc.constant({ kind: 'settle' as const }),
    fc.record({
      kind: fc.constantFrom('close' as const, 'half-close' as const),
      afterMs: fc.integer({ min: 0, max: 20 }),
    }),
  ),
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function handler(args: { Id: number }, ctx: CallContext, plans: Behaviour[]): unknown {
  const plan = plans[args.Id]!;
  if (plan.kind === 'throw' && plan.delayMs === 0) throw FAILURES[plan.failure]![0]();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      ctx.signal.removeEventListener('abort', onAbort);
      if (plan.kind === 'reply' || plan.kind === 'stubborn') resolve({ Id: args.Id });
      else reject(FAILURES[plan.failure]![0]());
    }, plan.delayMs);
    const onAbort = () => {
      clearTimeout(timer);
      reject(ctx.signal.reason);
    };
    // A stubborn handler ignores its signal and runs to its end.
    if (plan.kind !== 'stubborn') ctx.signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Whether `outcome` is a result the call may have: its reply, its failure, or a typed error its limits explain. */
function checkOutcome(
  call: Call,
  id: number,
  outcome: unknown,
  ending: string,
  handleTimeoutMs: number,
): void {
  const plan = call.behaviour;
  if (!(outcome instanceof Error)) {
    assert.ok(plan.kind === 'reply' || plan.kind === 'stubborn', `call ${id} succeeded though it failed`);
    assert.deepEqual(outcome, { Id: id });
    return;
  }
  if (outcome instanceof RemoteError) {
    if (/request handle timeout/.test(outcome.message)) {
      assert.ok(handleTimeoutMs > 0);
      return;
    }
    assert.ok(plan.kind === 'throw' || plan.kind === 'reject', `call ${id}: ${outcome.message}`);
    assert.equal(outcome.message, FAILURES[plan.failure]![1]);
    return;
  }
  if (isRpcError(outcome, 'ERR_CALL_TIMEOUT')) {
    assert.ok(call.timeoutMs > 0);
  } else if (isRpcError(outcome, 'ERR_CALL_ABORTED')) {
    assert.ok(call.abortAfterMs !== undefined);
  } else if (isRpcError(outcome, 'ERR_CONN_CLOSED') || isRpcError(outcome, 'ERR_CLIENT_CLOSED')) {
    assert.equal(ending, 'close', `call ${id}: ${outcome.message}`);
  } else {
    assert.fail(`call ${id}: untyped or unexpected error ${String(outcome)}`);
  }
}

test('client and server over one connection: every call settles once, with its result or a typed error, and nothing is left behind', {
  timeout: 120_000,
}, async () => {
  const timersBefore = countTimers();
  await fc.assert(
    fc.asyncProperty(scenario, async ({ codec, handleTimeoutMs, calls, ending }) => {
      const plans = calls.map((call) => call.behaviour);
      const server = new Server({ log: () => {} });
      server.register(
        { Run: (args: { Id: number }, ctx: CallContext) => handler(args, ctx, plans) },
        { name: 'P' },
      );
      const address = await server.listen('tcp@127.0.0.1:0');
      const socket = connect(Number(address.slice(address.lastIndexOf(':') + 1)), '127.0.0.1');
      await once(socket, 'connect');
      const client = new Client(address, socket, resolveClientOptions({ codec, handleTimeoutMs }));
      const controllers: (AbortController | undefined)[] = [];
      const settledCount = calls.map(() => 0);
      const outcomes = calls.map((call, id) => {
        const controller = call.abortAfterMs === undefined ? undefined : new AbortController();
        controllers.push(controller);
        if (controller !== undefined) setTimeout(() => controller.abort(), call.abortAfterMs);
        const options = { timeoutMs: call.timeoutMs, ...(controller ? { signal: controller.signal } : {}) };
        return client.call('P.Run', { Id: id }, options).then(
          (value) => {
            settledCount[id]!++;
            return value;
          },
          (error: unknown) => {
            settledCount[id]!++;
            return error;
          },
        );
      });
      // Every call has been written by the next turn.
      await new Promise((resolve) => setImmediate(resolve));
      if (ending.kind !== 'settle') await sleep(ending.afterMs);
      if (ending.kind === 'close') await client.close();
      // The peer sends no more: the server must still answer all it was sent.
      else if (ending.kind === 'half-close') socket.end();
      const results = await Promise.all(outcomes);
      for (const [id, outcome] of results.entries()) {
        checkOutcome(calls[id]!, id, outcome, ending.kind, handleTimeoutMs);
      }
      await sleep(40);
      assert.deepEqual(
        settledCount,
        calls.map(() => 1),
        'each call settled exactly once',
      );
      assert.equal(client.pendingCalls, 0);
      assert.equal(client.bufferedBytes, 0, 'no byte left unsent');
      for (const controller of controllers) {
        if (controller !== undefined) assert.equal(getEventListeners(controller.signal, 'abort').length, 0);
      }
      await client.close();
      await server.close();
      const stats = server.stats();
      assert.equal(stats.inFlight + stats.overdue + stats.held, 0);
    }),
    { numRuns: 40 },
  );
  await sleep(50);
  assert.equal(countTimers(), timersBefore, 'no timer left behind');
});

function countTimers(): number {
  return process.getActiveResourcesInfo().filter((name) => name === 'Timeout').length;
}
