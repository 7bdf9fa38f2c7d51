import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_LOG_LINES_PER_SECOND } from '../../../src/rpc/server/server.ts';
import { goOption } from '../../fixtures/rpc-go-wire.ts';
import { sleep } from '../../fixtures/rpc-holder.ts';
import { RawSocket } from '../../fixtures/rpc-raw-socket.ts';
import { dialFor, HANG_LIMIT, startServer } from '../../fixtures/rpc-server.ts';

const CONNECTIONS = 1000;
const BATCH = 100;

test(
  `${CONNECTIONS} connections with a bad handshake cost the log ${DEFAULT_LOG_LINES_PER_SECOND} lines a second and a count of the rest`,
  HANG_LIMIT,
  async (t) => {
    const { address, logs } = await startServer(t);
    const started = Date.now();
    for (let i = 0; i < CONNECTIONS; i += BATCH) {
      await Promise.all(
        Array.from({ length: BATCH }, async () => {
          const raw = await RawSocket.open(address);
          try {
            await raw.write(goOption('application/msgpack', { magicNumber: 1 }));
            await raw.waitClosed();
          } finally {
            raw.destroy();
          }
        }),
      );
    }
    const seconds = Math.ceil((Date.now() - started) / 1000) + 1;
    await sleep(1100); // the last second's summary
    const closing = logs.lines.filter((line) => /closing connection from .*ERR_BAD_MAGIC/.test(line));
    const summaries = logs.lines.filter((line) => /^rpc server: … and \d+ more line\(s\)/.test(line));
    const summarised = summaries.reduce((sum, line) => sum + Number(/and (\d+) more/.exec(line)![1]), 0);
    assert.ok(
      closing.length <= DEFAULT_LOG_LINES_PER_SECOND * seconds,
      `${closing.length} lines in about ${seconds} s`,
    );
    assert.ok(summaries.length >= 1 && summaries.length <= seconds, `${summaries.length} summary line(s)`);
    assert.equal(
      closing.length + summarised,
      CONNECTIONS,
      'every connection is counted, in a line or a summary',
    );
    assert.equal(logs.lines.length, closing.length + summaries.length);
    const client = await dialFor(t, address, { codec: 'application/json' });
    assert.equal(await client.call('Foo.Sum', { Num1: 1, Num2: 1 }), 2);
  },
);
