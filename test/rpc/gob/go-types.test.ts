// The argument and reply types real Go services have (go-peer/types.go), both directions, over
// tcp@ and http@: rpcbench's client against Go's Types service, Go's client against an rpcbench
// server that answers what it decoded. Values compared exactly: NaN, −0, 64-bit extremes, nil.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runGoTypesCheck } from '../../../src/benchmarks/go-peer/go-peer.ts';
import { dial } from '../../../src/rpc/dial.ts';
import { gob } from '../../../src/rpc/gob/index.ts';
import { Bench } from '../../../src/rpc/server/builtin-services.ts';
import { Server } from '../../../src/rpc/server/server.ts';
import { goPeerForFile } from '../../fixtures/go-peer.ts';
import { NESTED, sampleNested } from '../../fixtures/go-types-nested.ts';

const TRANSPORTS = ['tcp', 'http'] as const;

const go = goPeerForFile();

/** What gob brings back of `sent`: a nil pointer as null, a nil or empty slice as [], bytes as a Buffer. */
function assertSameNested(got: Record<string, unknown>, sent: Record<string, unknown>): void {
  for (const name of ['NaN', 'Inf', 'NegInf', 'Whole', 'F64', 'F32']) {
    assert.ok(
      Object.is(got[name], sent[name]),
      `${name}: sent ${String(sent[name])}, got ${String(got[name])}`,
    );
  }
  // gob leaves out a struct field equal to zero, and −0 == 0: Go's own peers get +0 there too.
  assert.ok(Object.is(got.NegZero, 0), `NegZero as a field: ${String(got.NegZero)}`);
  assert.deepEqual(
    (got.Zeros as number[]).map((zero) => Object.is(zero, -0)),
    [true, false, false],
    '−0 inside a slice',
  );
  assert.equal(got.Text, sent.Text);
  const { NaN: _n, NegZero: _z, Zeros: _s, Text: _t, ...rest } = got;
  const { NaN: _n2, NegZero: _z2, Zeros: _s2, Text: _t2, ...restSent } = sent;
  // JSON-like comparison: the reply's values carry their Go types under a non-enumerable symbol.
  assert.deepEqual(rest, restSent);
}

for (const [i, transport] of TRANSPORTS.entries()) {
  test(`rpcbench → Go Types over ${transport}@: every kind echoes exactly, and the decoded reply sent again untyped echoes the same`, async () => {
    const client = await dial(go().addresses[i]!, { codec: 'gob', callTimeoutMs: 30_000 });
    try {
      const sent = sampleNested();
      const reply = (await client.call('Types.EchoNested', gob.typed(NESTED, sent))) as Record<
        string,
        unknown
      >;
      assert.equal(reply.Q, null, 'a nil pointer decodes as null');
      assertSameNested(reply, sent);
      // The reply remembers its Go types: uint8, float64 3, an empty slice, maps, int64 extremes.
      const again = (await client.call('Types.EchoNested', reply)) as Record<string, unknown>;
      assertSameNested(again, sent);

      const summary = await client.call('Types.Summarize', reply);
      assert.deepEqual(summary, { Items: 4, Keys: 6, Total: -2, HasP: true, TextKB: 1023 });
    } finally {
      await client.close();
    }
  });

  test(`rpcbench → Go over ${transport}@: −0, NaN and 64-bit extremes as whole values, uint8 and float64 typed`, async () => {
    const client = await dial(go().addresses[i]!, { codec: 'gob', callTimeoutMs: 10_000 });
    try {
      for (const value of [-0, Number.NaN, Number.NEGATIVE_INFINITY, 3, 2 ** 53 + 2]) {
        const echoed = await client.call('Types.EchoFloat', gob.typed(gob.float64, value));
        assert.ok(Object.is(echoed, value), `${value} came back as ${String(echoed)}`);
      }
      assert.equal(await client.call('Types.EchoUint8', gob.typed(gob.uint8, 255)), 255);
      await assert.rejects(client.call('Types.EchoUint8', gob.typed(gob.uint8, 256)), /uint8/);
      assert.equal(await client.call('Types.EchoUint8', gob.typed(gob.uint8, 0)), 0);
    } finally {
      await client.close();
    }
  });

  test(`rpcbench → Go over ${transport}@: a reply whose pointers are nil decodes them as null, and they go back as nil`, async () => {
    const client = await dial(go().addresses[i]!, { codec: 'application/gob', callTimeoutMs: 10_000 });
    try {
      const reply = (await client.call('Types.NilPointer', 5)) as Record<string, unknown>;
      assert.equal(reply.P, null);
      assert.equal(reply.Q, null);
      assert.deepEqual(reply.Base, { ID: 5, Tag: '' });
      const summary = (await client.call('Types.Summarize', reply)) as { HasP: boolean };
      assert.equal(summary.HasP, false, 'null in a pointer field is sent as nil');
    } finally {
      await client.close();
    }
  });

  test(`Go's client → an rpcbench server echoing what it decoded, over ${transport}@: every kind comes back exactly`, async (t) => {
    const server = new Server({ log: () => {}, codecs: ['gob'] }).register(new Bench());
    t.after(() => server.destroy());
    const address = await server.listen(`${transport}@127.0.0.1:0`);
    const check = await runGoTypesCheck(address, 'Bench.Echo', 2);
    assert.deepEqual(check, { ok: true });
  });
}
