import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CODEC_NAMES } from '../../../src/rpc/codec/codec.ts';
import { dialFor, startServer, unixSocketAddress } from '../../fixtures/rpc-server.ts';

const PAYLOAD = {
  text: 'line one\nline two "quoted" \\ <tag> & é 😀 \u2028',
  empty: '',
  integers: [0, -1, 42, 2 ** 31, 2 ** 40, Number.MAX_SAFE_INTEGER],
  floats: [1.5, -0.25, 1e-9],
  flags: [true, false],
  nothing: null,
  nested: { list: [{ a: 1 }, { b: [2, 3] }], deep: { deeper: { deepest: 'here' } } },
  long: 'z'.repeat(100_000),
};

/** gob carries Go types: exported field names, one element type per list, no null fields. */
const GOB_PAYLOAD = {
  Text: PAYLOAD.text,
  Empty: '',
  Integers: PAYLOAD.integers,
  Floats: PAYLOAD.floats,
  Flags: PAYLOAD.flags,
  Nested: { List: [{ A: 1, B: [2, 3] }], Deep: { Deeper: { Deepest: 'here' } } },
  Long: PAYLOAD.long,
};

for (const transport of ['tcp', 'unix', 'http'] as const) {
  for (const codec of CODEC_NAMES) {
    test(`round trips over ${transport} with ${codec}`, async (t) => {
      const listenAddress = transport === 'unix' ? unixSocketAddress(t) : `${transport}@127.0.0.1:0`;
      const { address } = await startServer(t, {}, listenAddress);
      const client = await dialFor(t, address, { codec });
      assert.equal(await client.call('Foo.Sum', { Num1: 20, Num2: 22 }), 42);
      const gob = codec === 'application/gob';
      const payload = gob ? GOB_PAYLOAD : PAYLOAD;
      assert.deepEqual(await client.call('Bench.Echo', payload), payload);
      const values = gob
        ? ['', 'x', 0, -7, 3.25, true, false, [1, 2], ['é', '😀'], {}]
        : ['', 'x', 0, -7, 3.25, true, false, null, [], {}];
      for (const value of values) {
        assert.deepEqual(await client.call('Bench.Echo', value), value, JSON.stringify(value));
      }
      // Undefined has no wire form in Go: it travels as null, and in gob as GeeRPC's empty body, struct{}.
      assert.deepEqual(await client.call('Bench.Echo', undefined), gob ? {} : null);
      await assert.rejects(client.call('Foo.Nope', null), {
        code: 'ERR_REMOTE',
        message: "rpc server: can't find method Nope",
      });
      assert.equal(await client.call('Foo.Sum', { Num1: 1, Num2: 1 }), 2);
    });
  }
}
