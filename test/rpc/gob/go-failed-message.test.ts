// A message that cannot be encoded leaves the connection's gob stream as it was, on the first
// message of a connection as well as later, in both directions, against GeeRPC's Go peer.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runGoClient } from '../../../src/benchmarks/go-peer/go-peer.ts';
import { dial } from '../../../src/rpc/dial.ts';
import { gob } from '../../../src/rpc/gob/index.ts';
import { Server } from '../../../src/rpc/server/server.ts';
import { goPeerForFile } from '../../fixtures/go-peer.ts';

const TRANSPORTS = ['tcp', 'http'] as const;
/** GeeRPC's Args with a field Go cannot hold in an int8: 1000 fails to encode. */
const NARROW_ARGS = gob.struct('Args', { Num1: gob.int8, Num2: gob.int8 });

const go = goPeerForFile();

/** Answers its argument, except `bad`: its reply cannot be encoded as gob (1000 in an int8). */
class Flaky {
  Echo(text: string): unknown {
    return text === 'bad' ? gob.typed(gob.int8, 1000) : text;
  }
}

for (const [i, transport] of TRANSPORTS.entries()) {
  for (const position of ['first', 'third'] as const) {
    test(`rpcbench → Go over ${transport}@: a call whose args fail to encode as the ${position} message, then valid calls succeed`, async () => {
      const client = await dial(go().addresses[i]!, { codec: 'gob', callTimeoutMs: 10_000 });
      try {
        if (position === 'third') assert.equal(await client.call('Foo.Sum', { Num1: 1, Num2: 1 }), 2);
        await assert.rejects(
          client.call('Foo.Sum', gob.typed(NARROW_ARGS, { Num1: 1000, Num2: 1 })),
          (error: Error & { code?: string }) => error.code === 'ERR_ENCODE' && /int8/.test(error.message),
        );
        // A new type on the stream after the failure, then the header and Args again.
        assert.equal(await client.call('Bench.Echo', 'after'), 'after');
        assert.equal(await client.call('Foo.Sum', gob.typed(NARROW_ARGS, { Num1: 100, Num2: 2 })), 102);
        assert.equal(await client.call('Foo.Sum', { Num1: 1, Num2: 2 }), 3);
      } finally {
        await client.close();
      }
    });
  }

  test(`Go → rpcbench over ${transport}@: a first reply that fails to encode is an error for that call only`, async (t) => {
    // The short codec name, as the command line takes it.
    const server = new Server({ log: () => {}, codecs: ['gob'] }).register(new Flaky());
    t.after(() => server.destroy());
    const address = await server.listen(`${transport}@127.0.0.1:0`);
    const summary = await runGoClient({
      addresses: [address],
      settleMs: 5,
      calls: [
        { method: 'Flaky.Echo', args: 'bad' },
        { method: 'Flaky.Echo', args: 'good' },
        { method: 'Flaky.Echo', args: 'bad' },
        { method: 'Flaky.Echo', args: 'again' },
      ],
      n: 4,
    });
    assert.equal(summary.dials, 1, 'one connection carries every call');
    assert.equal(summary.results.length, 4);
    assert.match(summary.results[0]?.error ?? '', /int8/);
    assert.deepEqual(summary.results[1], { reply: 'good' });
    assert.match(summary.results[2]?.error ?? '', /int8/);
    assert.deepEqual(summary.results[3], { reply: 'again' });
  });
}
