import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CODEC_NAMES } from '../../src/rpc/codec/codec.ts';
import { dialFor, startServer } from '../fixtures/rpc-server.ts';
import { delayService } from '../fixtures/rpc-services.ts';

const CALLS = 1000;

for (const codec of CODEC_NAMES) {
  test(`${CALLS} calls in flight on one connection each get their own reply (${codec})`, async (t) => {
    const { server, address } = await startServer(t);
    server.register(delayService, { name: 'Delay' });
    const client = await dialFor(t, address, { codec });
    const completed: number[] = [];
    const calls: Promise<void>[] = [];
    for (let i = 0; i < CALLS; i++) {
      // A spread of delays makes the server answer in another order than it was asked.
      const delayMs = (i * 7919) % 23;
      // Go-exported names, so that gob carries it as it is.
      const payload = { I: i, Text: `call ${i}`, List: [i, -i - 1, i / 2] };
      calls.push(
        client.call('Bench.Echo', payload).then((reply) => assert.deepEqual(reply, payload)),
        client.call<number>('Delay.Echo', { I: i, DelayMs: delayMs }).then((reply) => {
          assert.equal(reply, i);
          completed.push(i);
        }),
      );
    }
    assert.equal(client.pendingCalls, 2 * CALLS);
    await Promise.all(calls);
    assert.equal(client.pendingCalls, 0);
    assert.equal(completed.length, CALLS);
    assert.notDeepEqual(
      completed,
      [...completed].sort((a, b) => a - b),
      'replies came back out of order',
    );
    const counts = Object.fromEntries(
      server.services().flatMap((s) => s.methods.map((m) => [`${s.name}.${m.name}`, m.calls])),
    );
    assert.equal(counts['Bench.Echo'], CALLS);
    assert.equal(counts['Delay.Echo'], CALLS);
  });
}
