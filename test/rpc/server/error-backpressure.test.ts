import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { test } from 'node:test';
import { goOption, msgpackMessage } from '../../fixtures/rpc-go-wire.ts';
import { sleep } from '../../fixtures/rpc-holder.ts';
import { dialFor, HANG_LIMIT, portOf, startServer } from '../../fixtures/rpc-server.ts';

const CALLS = 3000;
const NAME_BYTES = 16 * 1024;
/** Each error reply repeats the 16 KiB name twice; unchecked, 3000 of them queue about 100 MiB. */
const BUFFERED_LIMIT_BYTES = 4 * 1024 * 1024;

test(
  `${CALLS} calls to an unknown ${NAME_BYTES}-byte method from a client that never reads: the server's queued output stays under 4 MiB`,
  HANG_LIMIT,
  async (t) => {
    const { server, address } = await startServer(t);
    const socket = connect(portOf(address), '127.0.0.1');
    socket.on('error', () => {});
    t.after(() => socket.destroy());
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    socket.pause(); // never reads a reply
    const name = `${'N'.repeat(NAME_BYTES)}.Method`;
    const calls: Buffer[] = [Buffer.from(goOption('application/msgpack'))];
    for (let seq = 1; seq <= CALLS; seq++) calls.push(msgpackMessage(name, seq, null));
    socket.write(Buffer.concat(calls));

    let maxBuffered = 0;
    let reading = true;
    for (let i = 0; i < 150; i++) {
      for (const connection of server.stats().perConnection) {
        maxBuffered = Math.max(maxBuffered, connection.bufferedBytes);
        if (connection.bufferedBytes > 0) reading = connection.reading;
      }
      await sleep(10);
    }
    assert.ok(maxBuffered > 0, 'error replies were queued');
    assert.ok(
      maxBuffered < BUFFERED_LIMIT_BYTES,
      `the server queued at most ${maxBuffered} bytes for a client that does not read`,
    );
    assert.equal(reading, false, 'the server stopped reading the lagging client');

    const other = await dialFor(t, address, { codec: 'application/msgpack' });
    assert.equal(await other.call('Foo.Sum', { Num1: 4, Num2: 5 }), 9, 'other clients are answered');
  },
);
