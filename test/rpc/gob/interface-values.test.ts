// A Go service replying with an interface value: that call fails with a message naming the type,
// the connection and the calls after it go on (tcp@ and http@, the type new and already known).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dial } from '../../../src/rpc/dial.ts';
import { gob } from '../../../src/rpc/gob/index.ts';
import { goPeerForFile } from '../../fixtures/go-peer.ts';

const go = goPeerForFile();

for (const [i, transport] of ['tcp', 'http'].entries()) {
  test(`Go answers an interface value over ${transport}@: that call fails naming the type, the connection goes on`, async () => {
    const client = await dial(go().addresses[i]!, { codec: 'gob', callTimeoutMs: 10_000 });
    try {
      // The first time Go defines main.Shape inside the reply, the second time it only names it.
      for (let round = 0; round < 2; round++) {
        await assert.rejects(client.call('Types.Interface', 3), (error: Error) => {
          assert.match(
            error.message,
            /WithAny\.V: an interface value \(concrete type "main\.Shape"\); interface values are not supported/,
          );
          return true;
        });
        assert.deepEqual(await client.call('Types.Interface', 0), { V: null, Note: 'after the interface' });
        assert.equal(await client.call('Types.EchoUint8', gob.typed(gob.uint8, 200 + round)), 200 + round);
      }
      const concurrent = await Promise.allSettled([
        client.call('Types.Interface', 4),
        client.call('Types.EchoUint8', gob.typed(gob.uint8, 7)),
      ]);
      assert.equal(concurrent[0].status, 'rejected');
      assert.deepEqual(concurrent[1], { status: 'fulfilled', value: 7 });
    } finally {
      await client.close();
    }
  });
}

for (const [i, transport] of ['tcp', 'http'].entries()) {
  test(`Go answers a complex number over ${transport}@: that call fails naming it, the connection goes on; a zero one is null`, async () => {
    const client = await dial(go().addresses[i]!, { codec: 'gob', callTimeoutMs: 10_000 });
    try {
      for (let round = 0; round < 2; round++) {
        await assert.rejects(client.call('Types.Complex', 3), (error: Error) => {
          assert.match(error.message, /complex numbers are not supported/);
          return true;
        });
        assert.equal(await client.call('Types.EchoUint8', gob.typed(gob.uint8, 100 + round)), 100 + round);
      }
      // Zero, the complex field is left out: the rest of the value arrives.
      assert.deepEqual(await client.call('Types.Complex', 0), { C: null, Note: 'after the complex' });
    } finally {
      await client.close();
    }
  });
}
