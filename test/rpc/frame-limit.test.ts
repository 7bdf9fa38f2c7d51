import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CodecName } from '../../src/rpc/codec/codec.ts';
import { FrameTooLargeError } from '../../src/rpc/errors.ts';
import { goOption } from '../fixtures/rpc-go-wire.ts';
import { RawSocket } from '../fixtures/rpc-raw-socket.ts';
import { dialFor, startServer } from '../fixtures/rpc-server.ts';
import { GateControl } from '../fixtures/rpc-services.ts';

const CODECS: CodecName[] = ['application/json', 'application/msgpack'];

for (const codec of CODECS) {
  test(`a request frame over the server's maxFrameBytes closes that connection with ERR_FRAME_TOO_LARGE (${codec})`, async (t) => {
    const { address, logs } = await startServer(t, { maxFrameBytes: 1024 });
    const bystander = await dialFor(t, address, { codec });
    const offender = await dialFor(t, address, { codec });
    assert.equal(
      await offender.call('Bench.Echo', 'x'.repeat(900)),
      'x'.repeat(900),
      'a frame under the limit passes',
    );
    await assert.rejects(offender.call('Bench.Echo', 'x'.repeat(2000)), { code: 'ERR_CONN_CLOSED' });
    assert.equal(offender.isAvailable(), false);
    const line = await logs.waitFor(/ERR_FRAME_TOO_LARGE/);
    assert.match(line, /exceeds the limit of 1024 bytes \(maxFrameBytes\)/);
    assert.equal(await bystander.call('Foo.Sum', { Num1: 1, Num2: 2 }), 3);
  });
}

test('a huge msgpack length prefix is refused before its body arrives', async (t) => {
  const { address, logs } = await startServer(t);
  const raw = await RawSocket.open(address);
  t.after(() => raw.destroy());
  await raw.write(
    Buffer.concat([Buffer.from(goOption('application/msgpack')), Buffer.from([0xff, 0xff, 0xff, 0xff])]),
  );
  await raw.waitClosed();
  assert.match(
    await logs.waitFor(/ERR_FRAME_TOO_LARGE/),
    /frame of 4294967295 bytes exceeds the limit of 16777216 bytes/,
  );
});

test('a JSON line with no newline in sight is refused once it passes maxFrameBytes', async (t) => {
  const { address, logs } = await startServer(t, { maxFrameBytes: 4096 });
  const raw = await RawSocket.open(address);
  t.after(() => raw.destroy());
  await raw.write(`${goOption('application/json')}{"ServiceMethod":"${'x'.repeat(5000)}`);
  await raw.waitClosed();
  assert.match(await logs.waitFor(/ERR_FRAME_TOO_LARGE/), /exceeds the limit of 4096 bytes/);
});

for (const codec of CODECS) {
  test(`a reply over the client's maxFrameBytes rejects every pending call with FrameTooLargeError (${codec})`, async (t) => {
    const { server, address } = await startServer(t);
    const gate = new GateControl();
    server.register(gate.service, { name: 'Gate' });
    const client = await dialFor(t, address, { codec, maxFrameBytes: 256 });
    const held = client.call('Gate.Hold', { id: 'a' });
    await gate.whenHeld('a');
    const big = client.call('Bench.Echo', 'y'.repeat(1000));
    for (const pending of [big, held]) {
      const error = await pending.then(
        () => assert.fail('must reject'),
        (e: unknown) => e,
      );
      assert.ok(error instanceof FrameTooLargeError);
      assert.equal(error.code, 'ERR_FRAME_TOO_LARGE');
      assert.match(error.message, /limit of 256 bytes/);
    }
    assert.equal(client.isAvailable(), false);
    await assert.rejects(client.call('Foo.Sum', { Num1: 1, Num2: 2 }), { code: 'ERR_CONN_CLOSED' });
  });
}
