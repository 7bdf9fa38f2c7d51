import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { test } from 'node:test';
import fc from 'fast-check';
import { dial } from '../../../src/rpc/dial.ts';
import { MAGIC_NUMBER } from '../../../src/rpc/handshake.ts';
import { Bench, Foo } from '../../../src/rpc/server/builtin-services.ts';
import { Server } from '../../../src/rpc/server/server.ts';
import { goOption, msgpackFrame } from '../../fixtures/rpc-go-wire.ts';
import { portOf } from '../../fixtures/rpc-server.ts';

const BATCHES = 25;
const BATCH_SIZE = 48;
const MAX_FRAME_BYTES = 64 * 1024;
/** Liveness only: a connection the server has not closed by then is dropped from our side. */
const SOCKET_LIMIT_MS = 5000;

type Listener = 'tcp' | 'http';
interface Malformed {
  listener: Listener;
  bytes: Uint8Array;
}

const text = (value: string) => new TextEncoder().encode(value);
const join = (...parts: (Uint8Array | string)[]) =>
  Buffer.concat(parts.map((part) => (typeof part === 'string' ? Buffer.from(part) : Buffer.from(part))));
const onStream = (bytes: Uint8Array): Malformed => ({ listener: 'tcp', bytes });

const anyBytes = fc.uint8Array({ minLength: 1, maxLength: 600 });
const codecOption = fc.constantFrom(goOption('application/json'), goOption('application/msgpack'));
const u32 = (value: number) => {
  const prefix = Buffer.alloc(4);
  prefix.writeUInt32BE(value, 0);
  return prefix;
};

const malformedInput: fc.Arbitrary<Malformed> = fc.oneof(
  anyBytes.map(onStream),
  // A handshake cut short anywhere.
  fc
    .tuple(codecOption, fc.nat())
    .map(([option, cut]) => onStream(text(option.slice(0, cut % option.length)))),
  // Over-long handshakes, finished or not.
  fc
    .tuple(fc.integer({ min: 4097, max: 9000 }), fc.boolean())
    .map(([length, finished]) =>
      onStream(text(`{"MagicNumber":${MAGIC_NUMBER},"Pad":"${'p'.repeat(length)}${finished ? '"}\n' : ''}`)),
    ),
  fc
    .integer()
    .filter((magic) => magic !== MAGIC_NUMBER)
    .map((magic) => onStream(text(goOption('application/json', { magicNumber: magic })))),
  fc
    .string({ unit: 'binary', maxLength: 40 })
    .map((codec) => onStream(text(`${JSON.stringify({ MagicNumber: MAGIC_NUMBER, CodecType: codec })}\n`))),
  // Any JSON value, or an option object with fields of any type.
  fc.json().map((json) => onStream(text(`${json}\n`))),
  fc
    .record({
      MagicNumber: fc.jsonValue(),
      CodecType: fc.jsonValue(),
      ConnectTimeout: fc.jsonValue(),
      HandleTimeout: fc.jsonValue(),
    })
    .map((option) => onStream(text(`${JSON.stringify(option)}\n`))),
  // A good handshake, then garbage.
  fc.tuple(codecOption, anyBytes).map(([option, garbage]) => onStream(join(option, garbage))),
  // JSON codec: header lines that are not headers, and bodies that are not JSON.
  fc
    .array(fc.string({ unit: 'binary', maxLength: 80 }), { minLength: 1, maxLength: 6 })
    .map((lines) => onStream(join(goOption('application/json'), `${lines.join('\n')}\n`))),
  fc
    .tuple(
      fc.constantFrom('Foo.Sum', 'Bench.Echo', 'Foo.Sleep', 'Nope.Nope', 'x'),
      fc.string({ unit: 'binary', maxLength: 80 }),
    )
    .map(([method, body]) =>
      onStream(
        join(
          goOption('application/json'),
          `{"ServiceMethod":"${method}","Seq":1,"Error":""}\n${body.replace(/\n/g, ' ')}\n`,
        ),
      ),
    ),
  fc
    .tuple(fc.jsonValue(), fc.jsonValue())
    .map(([header, body]) =>
      onStream(join(goOption('application/json'), `${JSON.stringify(header)}\n${JSON.stringify(body)}\n`)),
    ),
  // msgpack codec: lengths past the limit, frames of random bytes, headers of any shape.
  fc
    .integer({ min: MAX_FRAME_BYTES + 1, max: 0xffffffff })
    .map((length) => onStream(join(goOption('application/msgpack'), u32(length), 'tail'))),
  fc
    .array(fc.uint8Array({ maxLength: 64 }), { minLength: 1, maxLength: 4 })
    .map((frames) =>
      onStream(
        join(goOption('application/msgpack'), ...frames.flatMap((frame) => [u32(frame.length), frame])),
      ),
    ),
  fc
    .tuple(fc.anything(), fc.anything())
    .map(([header, body]) =>
      onStream(join(goOption('application/msgpack'), msgpackFrame(header), msgpackFrame(body))),
    ),
  fc
    .tuple(fc.constantFrom('Foo.Sum', 'Bench.Echo', 'Foo.Sleep'), fc.uint8Array({ maxLength: 64 }))
    .map(([method, body]) =>
      onStream(
        join(
          goOption('application/msgpack'),
          msgpackFrame({ ServiceMethod: method, Seq: 1, Error: '' }),
          u32(body.length),
          body,
        ),
      ),
    ),
  // The HTTP listener: random heads, wrong paths, and a good CONNECT followed by garbage.
  anyBytes.map((bytes): Malformed => ({ listener: 'http', bytes })),
  fc
    .tuple(
      fc.constantFrom('GET', 'CONNECT', 'POST', 'HEAD', ''),
      fc.string({ maxLength: 30 }),
      fc.constantFrom('\n\n', '\r\n\r\n', '\n'),
    )
    .map(
      ([method, path, end]): Malformed => ({
        listener: 'http',
        bytes: text(`${method} ${path} HTTP/1.0${end}`),
      }),
    ),
  fc.tuple(codecOption, anyBytes).map(
    ([option, garbage]): Malformed => ({
      listener: 'http',
      bytes: join('CONNECT /_geerpc_ HTTP/1.0\n\n', option, garbage),
    }),
  ),
);

/** Sends the bytes on a connection of its own and waits until the server has closed it. */
function throwAt(port: number, input: Malformed): Promise<void> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const timer = setTimeout(() => socket.destroy(), SOCKET_LIMIT_MS);
    socket.on('error', () => {});
    socket.on('data', () => {});
    socket.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.once('connect', () => socket.end(input.bytes));
  });
}

test(`the server survives ${BATCHES * BATCH_SIZE} malformed connections and keeps serving others`, async (t) => {
  const logged: string[] = [];
  const server = new Server({
    log: (message) => logged.push(message),
    maxFrameBytes: MAX_FRAME_BYTES,
    handshakeTimeoutMs: 2000,
    handleTimeoutMs: 1000,
    // Every reason is counted below; the log limit itself is tested in rpc-limits-log.
    logLinesPerSecond: 1_000_000,
  })
    .register(new Foo())
    .register(new Bench());
  t.after(() => server.destroy());
  const tcp = await server.listen('tcp@127.0.0.1:0');
  const http = await server.listen('http@127.0.0.1:0');
  const ports: Record<Listener, number> = { tcp: portOf(tcp), http: portOf(http) };
  const steady = await dial(tcp, { codec: 'application/msgpack' });
  t.after(() => steady.close());
  let sent = 0;
  let batch = 0;

  await fc.assert(
    fc.asyncProperty(
      fc.array(malformedInput, { minLength: BATCH_SIZE, maxLength: BATCH_SIZE }),
      async (inputs) => {
        batch++;
        await Promise.all(inputs.map((input) => throwAt(ports[input.listener], input)));
        sent += inputs.length;
        const payload = { batch, text: `after batch ${batch}\n<&>`, list: [batch, -batch] };
        assert.deepEqual(await steady.call('Bench.Echo', payload), payload);
        const fresh = await dial(http, { codec: 'application/json' });
        try {
          assert.equal(await fresh.call('Foo.Sum', { Num1: batch, Num2: 1 }), batch + 1);
        } finally {
          await fresh.close();
        }
      },
    ),
    { numRuns: BATCHES, endOnFailure: true },
  );

  assert.ok(sent >= 1000, `${sent} malformed connections`);
  assert.ok(steady.isAvailable());
  assert.ok(logged.length > sent / 4, `the server logged why it closed connections (${logged.length} lines)`);
});
