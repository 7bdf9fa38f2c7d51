import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect } from 'node:net';
import { test } from 'node:test';
import type { CodecName } from '../../../src/rpc/codec/codec.ts';
import { RemoteError } from '../../../src/rpc/errors.ts';
import { errorText } from '../../../src/rpc/server/handler-error-text.ts';
import type { CallContext } from '../../../src/rpc/server/service.ts';
import { goJsonMessage, goOption } from '../../fixtures/rpc-go-wire.ts';
import { dialFor, HANG_LIMIT, portOf, startServer } from '../../fixtures/rpc-server.ts';

/** Every kind of value a handler can throw or reject with, and the error text its caller gets. */
const FAILURES: { name: string; value: () => unknown; text: string | RegExp }[] = [
  {
    name: 'an object without a prototype',
    value: () => Object.create(null),
    text: 'rpc server: handler failed: object',
  },
  { name: 'an empty string', value: () => '', text: 'rpc server: handler failed: string' },
  { name: 'undefined', value: () => undefined, text: 'rpc server: handler failed: undefined' },
  { name: 'null', value: () => null, text: 'rpc server: handler failed: null' },
  {
    name: 'an Error without message or name',
    value: () => Object.assign(new Error(''), { name: '' }),
    text: 'rpc server: handler failed: Error',
  },
  {
    name: 'an object whose toString throws',
    value: () => ({
      toString() {
        throw new Error('no');
      },
    }),
    text: 'rpc server: handler failed: object',
  },
  {
    name: 'a revoked Proxy',
    value: () => {
      const { proxy, revoke } = Proxy.revocable({}, {});
      revoke();
      return proxy;
    },
    text: 'rpc server: handler failed: object',
  },
  { name: 'a number', value: () => 0, text: '0' },
  { name: 'an Error', value: () => new Error('broken'), text: 'broken' },
  { name: 'a string', value: () => 'refused', text: 'refused' },
];

test('errorText is never empty and never throws', () => {
  for (const failure of FAILURES) {
    const text = errorText(failure.value());
    assert.ok(text.length > 0, failure.name);
    if (typeof failure.text === 'string') assert.equal(text, failure.text, failure.name);
  }
});

for (const codec of ['application/json', 'application/msgpack', 'application/gob'] as CodecName[]) {
  test(
    `${codec}: whatever a handler throws or rejects with is an error reply, and the server lives on`,
    HANG_LIMIT,
    async (t) => {
      const { server, address } = await startServer(t);
      let which = 0;
      server.register(
        {
          Throw: () => {
            throw FAILURES[which]!.value();
          },
          Reject: () => Promise.reject(FAILURES[which]!.value()),
          // A thenable whose own `then` throws after nothing was delivered.
          BadThen: () => ({
            // biome-ignore lint/suspicious/noThenProperty: the point of this test
            then() {
              throw FAILURES[which]!.value();
            },
          }),
        },
        { name: 'Fail' },
      );
      const client = await dialFor(t, address, { codec });
      for (which = 0; which < FAILURES.length; which++) {
        const failure = FAILURES[which]!;
        for (const method of ['Fail.Throw', 'Fail.Reject', 'Fail.BadThen']) {
          const error = await client.call(method, 1).then(
            (value: unknown) =>
              assert.fail(`${method} with ${failure.name} was delivered as ${String(value)}`),
            (e: unknown) => e,
          );
          assert.ok(error instanceof RemoteError, `${method} with ${failure.name}`);
          assert.match(
            error.message,
            typeof failure.text === 'string' ? new RegExp(`^${escapeRegExp(failure.text)}$`) : failure.text,
          );
        }
      }
      assert.equal(
        await client.call('Foo.Sum', { Num1: 1, Num2: 2 }),
        3,
        'the same connection still serves calls',
      );
    },
  );
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

test(
  'a handler that ignores its signal keeps its slot after the handle timeout answered',
  HANG_LIMIT,
  async (t) => {
    const { server, address } = await startServer(t, { maxInFlightPerConnection: 2 });
    let running = 0;
    let peak = 0;
    const releases: (() => void)[] = [];
    server.register(
      {
        Stubborn: (_args: unknown, _ctx: CallContext) =>
          new Promise<number>((resolve) => {
            running++;
            peak = Math.max(peak, running);
            releases.push(() => {
              running--;
              resolve(1);
            });
          }),
      },
      { name: 'Slow' },
    );
    const client = await dialFor(t, address, { handleTimeoutMs: 20 });
    const calls = Array.from({ length: 20 }, () => client.call('Slow.Stubborn', 0).catch((e: unknown) => e));
    const first = await calls[0];
    assert.ok(first instanceof RemoteError);
    assert.match(first.message, /request handle timeout/);
    // The next calls could only start if the answered calls had given up their slots.
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(peak, 2);
    const stats = server.stats();
    assert.equal(stats.overdue, 2);
    assert.equal(stats.inFlight, 0);
    while (releases.length > 0) {
      releases.shift()!();
      await new Promise((resolve) => setTimeout(resolve, 30));
    }
    const outcomes = await Promise.all(calls);
    assert.equal(peak, 2, 'never more than maxInFlightPerConnection handlers at once');
    assert.equal(outcomes.length, 20);
    for (const outcome of outcomes)
      assert.ok(outcome instanceof RemoteError && /handle timeout/.test(outcome.message));
    assert.equal(server.stats().overdue, 0);
  },
);

test('a peer that half-closes after its calls gets every reply, then the close', HANG_LIMIT, async (t) => {
  const { address } = await startServer(t);
  const socket = connect({ port: portOf(address), host: '127.0.0.1', allowHalfOpen: true });
  t.after(() => socket.destroy());
  await once(socket, 'connect');
  let received = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    received += chunk;
  });
  socket.end(
    goOption('application/json') +
      goJsonMessage('Foo.Sum', 1, { Num1: 1, Num2: 2 }) +
      goJsonMessage('Foo.Sleep', 2, { Num1: 0.2, Num2: 4 }),
  );
  await once(socket, 'close');
  const lines = received.trim().split('\n');
  assert.deepEqual(
    lines.slice(-4).map((line) => JSON.parse(line)),
    [
      { ServiceMethod: 'Foo.Sum', Seq: 1, Error: '' },
      3,
      { ServiceMethod: 'Foo.Sleep', Seq: 2, Error: '' },
      4.2,
    ],
  );
});
