// A Go service replying with values of types that marshal themselves (GobEncoder,
// BinaryMarshaler, time.Time): that call fails naming the type and the method, the connection and
// the calls after it go on; such a field Go left out decodes as null. A type with only
// MarshalText travels as a plain struct: gob does not use that method.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dial } from '../../../src/rpc/dial.ts';
import { gob } from '../../../src/rpc/gob/index.ts';
import { goPeerForFile } from '../../fixtures/go-peer.ts';

const go = goPeerForFile();

const NONE = { G: null, B: null, T: null, At: null, Note: 'after the marshaled value' };
const REFUSED: [number, RegExp][] = [
  [
    1,
    /WithMarshaled\.G: a value of a Go type that marshals itself, sent as the bytes of its GobEncode method/,
  ],
  [
    2,
    /WithMarshaled\.B: a value of a Go type that marshals itself, sent as the bytes of its MarshalBinary method/,
  ],
  [
    4,
    /WithMarshaled\.At: a value of Go type "Time" that marshals itself, sent as the bytes of its GobEncode method/,
  ],
];

for (const [i, transport] of ['tcp', 'http'].entries()) {
  test(`Go answers values that marshal themselves over ${transport}@: each call fails naming the type, the connection goes on`, async () => {
    const client = await dial(go().addresses[i]!, { codec: 'gob', callTimeoutMs: 10_000 });
    try {
      // Nothing set first: the reply's type is defined with all four kinds, and decodes.
      assert.deepEqual(await client.call('Types.Marshaled', 0), NONE);
      for (const [round, [which, message]] of REFUSED.entries()) {
        await assert.rejects(client.call('Types.Marshaled', which), (error: Error & { code?: string }) => {
          assert.match(error.message, message);
          assert.match(error.message, /; such values are not supported$/);
          return true;
        });
        assert.deepEqual(await client.call('Types.Marshaled', 0), NONE);
        assert.equal(await client.call('Types.EchoUint8', gob.typed(gob.uint8, 100 + round)), 100 + round);
      }
      assert.deepEqual(await client.call('Types.Marshaled', 3), { ...NONE, T: { N: 7 } });
    } finally {
      await client.close();
    }
  });
}

test('a value that marshals itself as the first reply on a connection fails alone', async () => {
  const client = await dial(go().addresses[0]!, { codec: 'gob', callTimeoutMs: 10_000 });
  try {
    const settled = await Promise.allSettled([
      client.call('Types.Marshaled', 4),
      client.call('Types.EchoUint8', gob.typed(gob.uint8, 9)),
    ]);
    assert.equal(settled[0].status, 'rejected');
    assert.deepEqual(settled[1], { status: 'fulfilled', value: 9 });
    assert.deepEqual(await client.call('Types.Marshaled', 0), NONE);
  } finally {
    await client.close();
  }
});
