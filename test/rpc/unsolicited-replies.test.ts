import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { test } from 'node:test';
import { startHostileServer } from '../../src/benchmarks/soak/hostile-servers.ts';
import { getCodec } from '../../src/rpc/codec/codecs.ts';
import { dial } from '../../src/rpc/dial.ts';
import { findHandshakeEnd } from '../../src/rpc/handshake.ts';
import { OutputBuffer } from '../../src/rpc/output-buffer.ts';

for (const codec of ['application/msgpack', 'application/gob'] as const) {
  test(`a server flooding replies with random seqs (${codec}): the client closes the connection past maxUnsolicitedReplies`, {
    timeout: 30_000,
  }, async (t) => {
    const hostile = await startHostileServer('unsolicited-replies');
    t.after(() => hostile.close());
    const client = await dial(hostile.address, { codec, maxUnsolicitedReplies: 100, callTimeoutMs: 20_000 });
    t.after(() => client.close());
    const closed = new Promise<Error>((resolve) => client.onClose(resolve));
    const started = Date.now();
    await assert.rejects(client.call('Foo.Sum', { Num1: 1, Num2: 2 }), {
      code: 'ERR_BAD_FRAME',
      message:
        /the server sent more than 100 replies to no call \(the last with seq \d+; maxUnsolicitedReplies\)/,
    });
    assert.match((await closed).message, /replies to no call/);
    assert.equal(client.isAvailable(), false);
    assert.ok(Date.now() - started < 10_000, `${Date.now() - started} ms`);
  });
}

test('late replies to calls that timed out are not counted as unsolicited', {
  timeout: 30_000,
}, async (t) => {
  // Answers every call 300 ms late, in msgpack.
  const server = createServer((socket) => {
    socket.on('error', () => {});
    let bytes = Buffer.alloc(0);
    let started = false;
    const decoder = getCodec('application/msgpack').createDecoder(1 << 20);
    const encoder = getCodec('application/msgpack').createEncoder();
    let header: { Seq: number } | undefined;
    socket.on('data', (chunk: Buffer) => {
      if (!started) {
        bytes = Buffer.concat([bytes, chunk]);
        const end = findHandshakeEnd(bytes);
        if (end === -1) return;
        started = true;
        chunk = bytes.subarray(end);
      }
      decoder.push(chunk, (value) => {
        if (header === undefined) {
          header = value as { Seq: number };
          return;
        }
        const seq = header.Seq;
        header = undefined;
        setTimeout(() => {
          const out = new OutputBuffer();
          encoder.encodeHeader({ ServiceMethod: 'Foo.Sum', Seq: seq, Error: '' }, out);
          encoder.encode(3, out);
          if (!socket.destroyed) socket.write(out.take());
        }, 300);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => server.close());
  const { port } = server.address() as { port: number };
  const client = await dial(`tcp@127.0.0.1:${port}`, { maxUnsolicitedReplies: 0 });
  t.after(() => client.close());
  const calls = Array.from({ length: 20 }, () => client.call('Foo.Sum', {}, { timeoutMs: 50 }));
  for (const call of calls) await assert.rejects(call, { code: 'ERR_CALL_TIMEOUT' });
  await new Promise((resolve) => setTimeout(resolve, 600));
  assert.equal(client.isAvailable(), true);
  assert.equal(await client.call('Foo.Sum', {}), 3);
});
