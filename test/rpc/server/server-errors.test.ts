import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CodecName } from '../../../src/rpc/codec/codec.ts';
import { EncodeError, RemoteError } from '../../../src/rpc/errors.ts';
import { Foo } from '../../../src/rpc/server/builtin-services.ts';
import { Server } from '../../../src/rpc/server/server.ts';
import {
  goJsonMessage,
  goOption,
  msgpackFrame,
  readMsgpackFrames,
  unpackFrame,
} from '../../fixtures/rpc-go-wire.ts';
import { RawSocket } from '../../fixtures/rpc-raw-socket.ts';
import { dialFor, startServer } from '../../fixtures/rpc-server.ts';
import { faultyService } from '../../fixtures/rpc-services.ts';

test('register exposes Name.method and refuses what could never be called', () => {
  const server = new Server();
  server.register(new Foo());
  assert.throws(() => server.register(new Foo()), {
    code: 'ERR_INVALID_ARGUMENT',
    message: 'rpc server: service already defined: Foo',
  });
  assert.throws(() => server.register({ Sum: () => 0 }, { name: 'Foo' }), { code: 'ERR_INVALID_ARGUMENT' });
  assert.throws(() => server.register({ a: () => 1 }), {
    code: 'ERR_INVALID_ARGUMENT',
    message: /a plain object needs a service name/,
  });
  assert.throws(() => server.register({ a: () => 1 }, { name: 'a.b' }), {
    code: 'ERR_INVALID_ARGUMENT',
    message: /must not contain "\."/,
  });
  assert.throws(() => server.register({ 'x.y': () => 1 }, { name: 'Dotted' }), {
    code: 'ERR_INVALID_ARGUMENT',
    message: /method name "Dotted\.x\.y" must not contain "\."/,
  });
  assert.throws(() => server.register({ count: 1 }, { name: 'Empty' }), { message: /has no methods/ });
  const bare = Object.assign(Object.create(null) as object, { Ping: () => 'pong' });
  assert.throws(() => server.register(bare), { message: /a plain object needs a service name/ });
  server.register(bare, { name: 'Bare' });
  assert.deepEqual(
    server.services().map((s) => [s.name, s.methods.map((m) => m.name)]),
    [
      ['Foo', ['Sum', 'Sleep']],
      ['Bare', ['Ping']],
    ],
  );
});

for (const codec of ['application/json', 'application/msgpack'] as CodecName[]) {
  test(`failed calls carry GeeRPC's wording and leave the connection usable (${codec})`, async (t) => {
    const { server, address, logs } = await startServer(t);
    server.register(faultyService, { name: 'Faulty' });
    const client = await dialFor(t, address, { codec });
    const cases: [string, string | RegExp][] = [
      ['Nope.Sum', "rpc server: can't find service Nope"],
      ['Foo.Nope', "rpc server: can't find method Nope"],
      ['NoDot', 'rpc server: service/method request ill-formed: NoDot'],
      ['.Sum', 'rpc server: service/method request ill-formed: .Sum'],
      ['Foo.', 'rpc server: service/method request ill-formed: Foo.'],
      ['Foo.constructor', "rpc server: can't find method constructor"],
      ['Foo.toString', "rpc server: can't find method toString"],
      ['Faulty.Throw', 'boom'],
      ['Faulty.Reject', 'async boom'],
      ['Faulty.RejectWithText', 'plain text reason'],
    ];
    if (codec === 'application/json') {
      cases.push(['Faulty.BigReply', /^rpc server: cannot encode the reply of Faulty\.BigReply: .*BigInt/]);
    }
    for (const [serviceMethod, expected] of cases) {
      const error = await client.call(serviceMethod, { Num1: 1, Num2: 2 }).then(
        () => assert.fail(`${serviceMethod} must fail`),
        (e: unknown) => e,
      );
      assert.ok(error instanceof RemoteError, `${serviceMethod}: ${String(error)}`);
      assert.equal(error.code, 'ERR_REMOTE');
      assert.equal(error.serviceMethod, serviceMethod);
      if (typeof expected === 'string') assert.equal(error.message, expected);
      else assert.match(error.message, expected);
      assert.equal(
        await client.call('Faulty.Ok', null),
        'ok',
        `the connection still works after ${serviceMethod}`,
      );
    }
    assert.equal(client.isAvailable(), true);
    assert.deepEqual(logs.lines, []);
  });
}

test('arguments the codec cannot encode reject with ERR_ENCODE and nothing is sent', async (t) => {
  const { address } = await startServer(t);
  const client = await dialFor(t, address, { codec: 'application/json' });
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  for (const args of [10n, cyclic]) {
    const error = await client.call('Bench.Echo', args).then(
      () => assert.fail('must reject'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof EncodeError);
    assert.equal(error.code, 'ERR_ENCODE');
    assert.match(error.message, /^rpc client: cannot encode the arguments of Bench\.Echo/);
  }
  assert.equal(client.pendingCalls, 0);
  assert.equal(await client.call('Bench.Echo', 'still fine'), 'still fine');
});

test('an undecodable JSON body gets an error reply and the next call on the connection succeeds', async (t) => {
  const { address } = await startServer(t);
  const raw = await RawSocket.open(address);
  t.after(() => raw.destroy());
  await raw.write(
    `${goOption('application/json')}{"ServiceMethod":"Foo.Sum","Seq":1,"Error":""}\n{"Num1": oops}\n${goJsonMessage('Foo.Sum', 2, { Num1: 2, Num2: 2 })}`,
  );
  const lines = (await raw.readLines(4)).split('\n');
  assert.deepEqual(JSON.parse(lines[0]!).Seq, 1);
  assert.match(JSON.parse(lines[0]!).Error, /^rpc server: read body err: invalid JSON/);
  assert.equal(lines[1], '{}');
  assert.equal(lines[2], '{"ServiceMethod":"Foo.Sum","Seq":2,"Error":""}');
  assert.equal(lines[3], '4');
});

test('an undecodable msgpack body gets an error reply and the next call on the connection succeeds', async (t) => {
  const { address } = await startServer(t);
  const raw = await RawSocket.open(address);
  t.after(() => raw.destroy());
  const truncated = Buffer.from([0, 0, 0, 2, 0x92, 0x01]); // an array of two holding one value
  const empty = Buffer.from([0, 0, 0, 0]);
  await raw.write(
    Buffer.concat([
      Buffer.from(goOption('application/msgpack')),
      msgpackFrame({ ServiceMethod: 'Foo.Sum', Seq: 1, Error: '' }),
      truncated,
      msgpackFrame({ ServiceMethod: 'Foo.Sum', Seq: 2, Error: '' }),
      empty,
      msgpackFrame({ ServiceMethod: 'Foo.Sum', Seq: 3, Error: '' }),
      msgpackFrame({ Num1: 3, Num2: 4 }),
    ]),
  );
  const received = await raw.readUntil((bytes) => readMsgpackFrames(bytes).frames.length >= 6, 'six frames');
  const values = readMsgpackFrames(received).frames.map(unpackFrame) as Record<string, unknown>[];
  assert.equal(values[0]!.Seq, 1);
  assert.match(String(values[0]!.Error), /^rpc server: read body err: invalid MessagePack/);
  assert.deepEqual(values[1], {});
  assert.equal(values[2]!.Seq, 2);
  assert.match(String(values[2]!.Error), /^rpc server: read body err: empty MessagePack frame/);
  assert.deepEqual(values.slice(4), [{ ServiceMethod: 'Foo.Sum', Seq: 3, Error: '' }, 7]);
});

test('a header that is not a header closes that connection with a logged ERR_BAD_FRAME', async (t) => {
  const { address, logs } = await startServer(t);
  const bystander = await dialFor(t, address);
  for (const header of ['{"ServiceMethod":"Foo.Sum","Seq":-1}', '{"Seq":1}', '"just a string"', '{broken']) {
    const from = logs.lines.length;
    const raw = await RawSocket.open(address);
    await raw.write(`${goOption('application/json')}${header}\n{}\n`);
    await raw.waitClosed();
    raw.destroy();
    assert.match(await logs.waitFor(/ERR_BAD_FRAME/, from), /rpc server: read header error/);
  }
  assert.equal(await bystander.call('Foo.Sum', { Num1: 1, Num2: 2 }), 3);
});
