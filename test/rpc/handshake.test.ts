import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import { CODEC_NAMES } from '../../src/rpc/codec/codec.ts';
import { dial } from '../../src/rpc/dial.ts';
import {
  encodeHandshake,
  endsWithNewline,
  findHandshakeEnd,
  HANDSHAKE_BYTES,
  MAGIC_NUMBER,
  MAX_HANDSHAKE_BYTES,
  parseHandshake,
} from '../../src/rpc/handshake.ts';
import { isRpcError } from '../../src/util/errors.ts';
import {
  goJsonMessage,
  goOption,
  msgpackMessage,
  readMsgpackFrames,
  unpackFrame,
} from '../fixtures/rpc-go-wire.ts';
import { RawSocket } from '../fixtures/rpc-raw-socket.ts';
import { dialFor, startServer } from '../fixtures/rpc-server.ts';

const SUM_REPLY_1 = '{"ServiceMethod":"Foo.Sum","Seq":1,"Error":""}\n3\n';
const SUM_REPLY_2 = '{"ServiceMethod":"Foo.Sum","Seq":2,"Error":""}\n30\n';

function jsonCalls(): string {
  return (
    goOption('application/json') +
    goJsonMessage('Foo.Sum', 1, { Num1: 1, Num2: 2 }) +
    goJsonMessage('Foo.Sum', 2, { Num1: 10, Num2: 20 })
  );
}

function msgpackCalls(): Buffer {
  return Buffer.concat([
    Buffer.from(goOption('application/msgpack')),
    msgpackMessage('Foo.Sum', 1, { Num1: 1, Num2: 2 }),
    msgpackMessage('Foo.Sum', 2, { Num1: 10, Num2: 20 }),
  ]);
}

async function readMsgpackReplies(raw: RawSocket, count: number): Promise<unknown[]> {
  const received = await raw.readUntil(
    (bytes) => readMsgpackFrames(bytes).frames.length >= count,
    `${count} frames`,
  );
  return readMsgpackFrames(received).frames.map(unpackFrame);
}

const MSGPACK_SUM_REPLIES = [
  { ServiceMethod: 'Foo.Sum', Seq: 1, Error: '' },
  3,
  { ServiceMethod: 'Foo.Sum', Seq: 2, Error: '' },
  30,
];

test('the handshake and the first frames in one write are all served (json)', async (t) => {
  const { address } = await startServer(t);
  const raw = await RawSocket.open(address);
  t.after(() => raw.destroy());
  await raw.write(jsonCalls());
  assert.equal(await raw.readLines(4), SUM_REPLY_1 + SUM_REPLY_2);
});

test('the handshake and the first frames in one write are all served (msgpack)', async (t) => {
  const { address } = await startServer(t);
  const raw = await RawSocket.open(address);
  t.after(() => raw.destroy());
  await raw.write(msgpackCalls());
  assert.deepEqual(await readMsgpackReplies(raw, 4), MSGPACK_SUM_REPLIES);
});

test('a handshake and frames arriving byte by byte are served (json)', async (t) => {
  const { address } = await startServer(t);
  const raw = await RawSocket.open(address);
  t.after(() => raw.destroy());
  await raw.writeByteByByte(jsonCalls());
  assert.equal(await raw.readLines(4), SUM_REPLY_1 + SUM_REPLY_2);
});

test('a handshake and frames arriving byte by byte are served (msgpack)', async (t) => {
  const { address, logs } = await startServer(t);
  const raw = await RawSocket.open(address);
  t.after(() => raw.destroy());
  await raw.writeByteByByte(msgpackCalls());
  assert.deepEqual(await readMsgpackReplies(raw, 4), MSGPACK_SUM_REPLIES);
  assert.deepEqual(logs.lines, []);
});

test('the handshake ends at its brace, or after its newline when that has arrived too', () => {
  const option = '{"MagicNumber":3927900,"CodecType":"a\\"}b"}';
  const lone = Buffer.from(option);
  assert.equal(findHandshakeEnd(lone), option.length, 'a lone object is a whole handshake');
  assert.equal(endsWithNewline(lone, option.length), false, 'its newline may still arrive');
  assert.equal(findHandshakeEnd(Buffer.from(`${option} \r`)), option.length + 2);
  assert.equal(findHandshakeEnd(Buffer.from(`${option}\n`)), option.length + 1);
  assert.equal(endsWithNewline(Buffer.from(`${option}\n`), option.length + 1), true);
  assert.equal(findHandshakeEnd(Buffer.from(`${option} \r\n\x00\x00`)), option.length + 3);
  // A client that sends no newline: the first frame byte is not blank, so the handshake ends at the brace.
  assert.equal(findHandshakeEnd(Buffer.from(`${option}\x00\x00\x00\x05`)), option.length);
  assert.equal(findHandshakeEnd(Buffer.from(`${option}{"ServiceMethod"`)), option.length);
  assert.equal(findHandshakeEnd(Buffer.from('{"MagicNumber":{"nested":[1,2]}')), -1);
});

test('the client handshake is exactly what the first read of a Go json.Decoder takes, brace last', () => {
  for (const codec of CODEC_NAMES) {
    const bytes = encodeHandshake({ codec, connectTimeoutMs: 10_000, handleTimeoutMs: 0 });
    assert.equal(bytes.length, HANDSHAKE_BYTES);
    assert.equal(bytes.at(-1), 0x7d);
    assert.equal(findHandshakeEnd(bytes), HANDSHAKE_BYTES);
    assert.deepEqual(parseHandshake(bytes), { codec, connectTimeoutMs: 10_000, handleTimeoutMs: 0 });
  }
});

test('a newline arriving after a handshake that ended at its brace is dropped, not decoded', async (t) => {
  const { address } = await startServer(t);
  const raw = await RawSocket.open(address);
  t.after(() => raw.destroy());
  await raw.write(JSON.stringify({ MagicNumber: MAGIC_NUMBER, CodecType: 'application/msgpack' }));
  await new Promise((resolve) => setTimeout(resolve, 50));
  // msgpack would read a stray newline as the first byte of a length prefix.
  await raw.write(Buffer.concat([Buffer.from('\n'), msgpackMessage('Foo.Sum', 1, { Num1: 1, Num2: 2 })]));
  assert.deepEqual(await readMsgpackReplies(raw, 2), MSGPACK_SUM_REPLIES.slice(0, 2));
});

test('the handshake durations arrive as Go nanoseconds', () => {
  const handshake = parseHandshake(
    Buffer.from(goOption('application/json', { handleTimeoutNs: 1_500_000_000 })),
  );
  assert.deepEqual(handshake, { codec: 'application/json', connectTimeoutMs: 10_000, handleTimeoutMs: 1500 });
});

interface BadHandshake {
  name: string;
  bytes: string | Buffer;
  code: string;
  text: RegExp;
}

const BAD_HANDSHAKES: BadHandshake[] = [
  {
    name: 'wrong magic number',
    bytes: goOption('application/json', { magicNumber: 0x3bef5d }),
    code: 'ERR_BAD_MAGIC',
    text: /rpc server: invalid magic number 3bef5d/,
  },
  {
    name: 'unknown codec',
    bytes: goOption('application/protobuf'),
    code: 'ERR_UNKNOWN_CODEC',
    text: /rpc server: invalid codec type application\/protobuf/,
  },
  { name: 'not JSON at all', bytes: 'hello there\n', code: 'ERR_BAD_HANDSHAKE', text: /not a JSON object/ },
  { name: 'a JSON array', bytes: '[3927900]\n', code: 'ERR_BAD_HANDSHAKE', text: /not a JSON object/ },
  {
    name: 'broken JSON inside braces',
    bytes: '{"MagicNumber":,}\n',
    code: 'ERR_BAD_HANDSHAKE',
    text: /rpc server: options error/,
  },
  {
    name: 'a negative duration',
    bytes: goOption('application/json', { handleTimeoutNs: -1 }),
    code: 'ERR_BAD_HANDSHAKE',
    text: /HandleTimeout must be a non-negative number of nanoseconds/,
  },
  {
    name: 'a complete handshake longer than 4 KiB',
    bytes: `{"MagicNumber":3927900,"CodecType":"application/json","Pad":"${'x'.repeat(MAX_HANDSHAKE_BYTES)}"}\n`,
    code: 'ERR_BAD_HANDSHAKE',
    text: /handshake longer than 4096 bytes/,
  },
  {
    name: 'an unfinished handshake longer than 4 KiB',
    bytes: `{"MagicNumber":3927900,"Pad":"${'x'.repeat(MAX_HANDSHAKE_BYTES + 10)}`,
    code: 'ERR_BAD_HANDSHAKE',
    text: /handshake longer than 4096 bytes/,
  },
];

test('a bad handshake closes only its own connection, with a logged reason', async (t: TestContext) => {
  const { address, logs } = await startServer(t);
  const bystander = await dialFor(t, address);
  for (const bad of BAD_HANDSHAKES) {
    await t.test(bad.name, async () => {
      const from = logs.lines.length;
      const raw = await RawSocket.open(address);
      try {
        await raw.write(bad.bytes);
        await raw.waitClosed();
      } finally {
        raw.destroy();
      }
      const line = await logs.waitFor(new RegExp(bad.code), from);
      assert.match(line, bad.text);
      assert.match(line, /closing connection from 127\.0\.0\.1:\d+/);
      assert.equal(await bystander.call('Foo.Sum', { Num1: 2, Num2: 3 }), 5);
    });
  }
  assert.equal(logs.lines.length, BAD_HANDSHAKES.length);
});

test('a connection without a handshake is closed after handshakeTimeoutMs', async (t) => {
  const { address, logs } = await startServer(t, { handshakeTimeoutMs: 150 });
  const bystander = await dialFor(t, address);
  const silent = await RawSocket.open(address);
  const partial = await RawSocket.open(address);
  t.after(() => {
    silent.destroy();
    partial.destroy();
  });
  await partial.write('{"MagicNumber":3927900,');
  await Promise.all([silent.waitClosed(), partial.waitClosed()]);
  const line = await logs.waitFor(/ERR_HANDSHAKE_TIMEOUT/);
  assert.match(line, /no handshake within 150 ms \(handshakeTimeoutMs\)/);
  assert.equal(logs.lines.filter((l) => l.includes('ERR_HANDSHAKE_TIMEOUT')).length, 2);
  assert.equal(await bystander.call('Foo.Sum', { Num1: 1, Num2: 1 }), 2);
});

test('a codec left out of ServerOptions.codecs is refused as an invalid codec type', async (t) => {
  const { address, logs } = await startServer(t, { codecs: ['application/msgpack'] });
  const raw = await RawSocket.open(address);
  t.after(() => raw.destroy());
  await raw.write(jsonCalls());
  await raw.waitClosed();
  // No call is answered: the reason is the one line sent before the close.
  assert.equal(raw.received.toString(), 'rpc server: invalid codec type application/json\n');
  assert.match(await logs.waitFor(/ERR_UNKNOWN_CODEC/), /rpc server: invalid codec type application\/json/);
  const jsonClient = await dialFor(t, address, { codec: 'application/json' });
  await assert.rejects(jsonClient.call('Foo.Sum', { Num1: 1, Num2: 2 }), { code: 'ERR_CODEC_REFUSED' });
  const msgpackClient = await dialFor(t, address, { codec: 'application/msgpack' });
  assert.equal(await msgpackClient.call('Foo.Sum', { Num1: 1, Num2: 2 }), 3);
});

test('a codec the server refuses fails the calls with ERR_CODEC_REFUSED naming it, and the server goes on', async (t) => {
  const { address } = await startServer(t, { codecs: ['application/json'] });
  const refused = await dial(address, { codec: 'application/gob', callTimeoutMs: 10_000 });
  t.after(() => refused.close());
  await assert.rejects(refused.call('Foo.Sum', { Num1: 1, Num2: 2 }), (error: unknown) => {
    assert.ok(isRpcError(error, 'ERR_CODEC_REFUSED'));
    assert.match(
      (error as Error).message,
      /refused codec application\/gob.*invalid codec type application\/gob/,
    );
    return true;
  });
  const accepted = await dial(address, { codec: 'application/json' });
  t.after(() => accepted.close());
  assert.equal(await accepted.call('Foo.Sum', { Num1: 1, Num2: 2 }), 3);
});
