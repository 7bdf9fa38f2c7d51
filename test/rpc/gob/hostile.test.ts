import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import { test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { dial } from '../../../src/rpc/dial.ts';
import { DEFAULT_MAX_TYPE_FIELDS, DEFAULT_MAX_TYPES, GobDecoder } from '../../../src/rpc/gob/index.ts';
import { MAX_HELD_ELEMENTS } from '../../../src/rpc/server/held-calls.ts';
import { goOption } from '../../fixtures/rpc-go-wire.ts';
import { RawSocket } from '../../fixtures/rpc-raw-socket.ts';
import { dialFor, startServer } from '../../fixtures/rpc-server.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function heldNow(): number {
  gc();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

// Hand-written gob, as a hostile peer in any language would write it (doc.go's layout).
const INT_ID = 2;
const STRING_ID = 6;
const UINT_ID = 3;

function u(n: number): number[] {
  if (n < 0x80) return [n];
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v % 256);
  return [256 - bytes.length, ...bytes];
}
const i = (n: number): number[] => u(n < 0 ? -n * 2 - 1 : n * 2);
const str = (s: string): number[] => [...u(Buffer.byteLength(s)), ...Buffer.from(s)];
const common = (name: string, id: number): number[] =>
  name === '' ? [2, ...i(id), 0] : [1, ...str(name), 1, ...i(id), 0];
const message = (bytes: number[]): Buffer => Buffer.from([...u(bytes.length), ...bytes]);

function arrayDef(id: number, elem: number, length: number): Buffer {
  return message([...i(-id), 1, 1, ...common('', id), 1, ...i(elem), 1, ...i(length), 0, 0]);
}

function structDef(id: number, name: string, fields: readonly { name: string; id: number }[]): Buffer {
  const list = fields.flatMap((f) => [1, ...str(f.name), 1, ...i(f.id), 0]);
  const body = fields.length === 0 ? [] : [1, ...u(fields.length), ...list];
  return message([...i(-id), 3, 1, ...common(name, id), ...body, 0, 0]);
}

/** A struct value of type `id` with every field left out (zero). */
const emptyStruct = (id: number): Buffer => message([...i(id), 0]);

/** A GeeRPC header `{ServiceMethod, Seq}` of type 65, defined in `headerDef`. */
const headerDef = structDef(65, 'Header', [
  { name: 'ServiceMethod', id: STRING_ID },
  { name: 'Seq', id: UINT_ID },
  { name: 'Error', id: STRING_ID },
]);
const header = (method: string, seq: number): Buffer =>
  message([...i(65), 1, ...str(method), 1, ...u(seq), 0]);

function decodeAll(chunks: readonly Buffer[], options = {}): unknown[] {
  const decoder = new GobDecoder(options);
  const values: unknown[] = [];
  for (const chunk of chunks) decoder.push(chunk, (v) => values.push(v));
  return values;
}

test('an array holding itself is refused when it is defined, in about 50 bytes', () => {
  const chunks = [arrayDef(66, 66, 1), structDef(67, 'S', [{ name: 'F', id: 66 }]), emptyStruct(67)];
  assert.throws(() => decodeAll(chunks), { code: 'ERR_GOB_BAD_STREAM', message: /holds itself/ });
  // Through another array, defined in either order.
  assert.throws(() => decodeAll([arrayDef(66, 67, 1), arrayDef(67, 66, 2)]), { code: 'ERR_GOB_BAD_STREAM' });
});

test('zero-value bombs are refused before anything is made, and the memory stays flat', () => {
  const before = heldNow();
  // [10000][10000]int and [1000][1000][1000]int, left zero: under 100 bytes each.
  const square = [
    arrayDef(66, INT_ID, 10_000),
    arrayDef(67, 66, 10_000),
    structDef(68, 'S', [{ name: 'F', id: 67 }]),
  ];
  assert.throws(() => decodeAll([...square, emptyStruct(68)]), {
    code: 'ERR_GOB_BUDGET_EXCEEDED',
    message: /S: a message of 3 bytes may make 65542 elements .*asked for 100010001/,
  });
  const cube = [
    arrayDef(66, INT_ID, 1000),
    arrayDef(67, 66, 1000),
    arrayDef(68, 67, 1000),
    structDef(69, 'S', [{ name: 'F', id: 68 }]),
  ];
  assert.throws(() => decodeAll([...cube, emptyStruct(69)]), { code: 'ERR_GOB_BUDGET_EXCEEDED' });
  const grown = heldNow() - before;
  assert.ok(grown < 8 * 1024 * 1024, `memory grew by ${grown} bytes`);
  // Go's omitted zero arrays of a sensible size still decode.
  const [value] = decodeAll([
    arrayDef(66, INT_ID, 1000),
    structDef(67, 'S', [{ name: 'F', id: 66 }]),
    emptyStruct(67),
  ]);
  assert.deepEqual(value, { F: new Array(1000).fill(0) });
});

test('type definitions per stream are bounded by count, fields and bytes', () => {
  const many = Array.from({ length: DEFAULT_MAX_TYPES + 1 }, (_, k) => structDef(65 + k, `T${k}`, []));
  assert.throws(() => decodeAll(many), { code: 'ERR_GOB_BUDGET_EXCEEDED', message: /maxTypes/ });
  const wide = (id: number, count: number) =>
    structDef(
      id,
      `W${id}`,
      Array.from({ length: count }, (_, k) => ({ name: `F${k}`, id: INT_ID })),
    );
  assert.throws(() => decodeAll([wide(65, DEFAULT_MAX_TYPE_FIELDS + 1)]), {
    code: 'ERR_GOB_BUDGET_EXCEEDED',
    message: /maxTypeFields/,
  });
  assert.throws(() => decodeAll([wide(65, 100), wide(66, 100)], { maxTypeDefinitionBytes: 1000 }), {
    code: 'ERR_GOB_BUDGET_EXCEEDED',
    message: /maxTypeDefinitionBytes/,
  });
  assert.throws(() => new GobDecoder({ maxTypes: 0 }), { code: 'ERR_GOB_INVALID_OPTION' });
});

test('a server closes a connection sending a gob bomb, logs why, and serves the others', {
  timeout: 30_000,
}, async (t) => {
  const { address, logs } = await startServer(t);
  const before = heldNow();
  const attacker = await RawSocket.open(address);
  t.after(() => attacker.socket.destroy());
  await attacker.write(goOption('application/gob'));
  await attacker.write(
    Buffer.concat([
      headerDef,
      header('Foo.Sum', 1),
      arrayDef(66, INT_ID, 1000),
      arrayDef(67, 66, 1000),
      arrayDef(68, 67, 1000),
      structDef(69, 'Args', [{ name: 'F', id: 68 }]),
      emptyStruct(69),
    ]),
  );
  await attacker.waitClosed();
  assert.match(logs.lines.join('\n'), /ERR_GOB_BUDGET_EXCEEDED: gob: over budget: Args/);
  assert.ok(heldNow() - before < 16 * 1024 * 1024);
  const client = await dialFor(t, address, { codec: 'application/gob' });
  assert.equal(await client.call('Foo.Sum', { Num1: 2, Num2: 3 }), 5);
});

test('calls held past the in-flight limit are bounded by their decoded size', {
  timeout: 30_000,
}, async (t) => {
  const { address, logs } = await startServer(t, { maxInFlightPerConnection: 2 });
  const before = heldNow();
  const attacker = await RawSocket.open(address);
  t.after(() => attacker.socket.destroy());
  await attacker.write(goOption('application/gob'));
  // A struct of 10,000 int fields, then calls whose body is that struct left empty: 3 bytes each.
  const wide = structDef(
    66,
    'Wide',
    Array.from({ length: 10_000 }, (_, k) => ({ name: `F${k}`, id: INT_ID })),
  );
  const sumArgs = structDef(67, 'Args', [
    { name: 'Num1', id: INT_ID },
    { name: 'Num2', id: INT_ID },
  ]);
  const sleepArgs = message([...i(67), 1, ...i(60), 0]);
  const calls = Math.ceil(MAX_HELD_ELEMENTS / 10_000) + 10;
  const bodies = Array.from({ length: calls }, (_, k) =>
    Buffer.concat([header('Foo.Sum', k + 10), emptyStruct(66)]),
  );
  await attacker.write(
    Buffer.concat([
      headerDef,
      wide,
      sumArgs,
      header('Foo.Sleep', 1),
      sleepArgs,
      header('Foo.Sleep', 2),
      sleepArgs,
      ...bodies,
    ]),
  );
  await attacker.waitClosed();
  assert.match(logs.lines.join('\n'), /ERR_BAD_FRAME: rpc server: calls held past the in-flight limit/);
  // Unbounded, these bodies of 3 bytes each would hold over a million decoded fields; closed,
  // the connection lets go of what it held.
  const grown = heldNow() - before;
  assert.ok(grown < 16 * 1024 * 1024, `memory grew by ${grown} bytes`);
  const client = await dialFor(t, address, { codec: 'application/gob' });
  assert.equal(await client.call('Foo.Sum', { Num1: 1, Num2: 1 }), 2);
});

test('a client facing a server that replies with a gob bomb fails its calls with ERR_BAD_FRAME', {
  timeout: 30_000,
}, async (t) => {
  const sockets: Socket[] = [];
  const hostile = createServer((socket) => {
    sockets.push(socket);
    socket.on('error', () => {});
    socket.once('data', () => {
      socket.write(
        Buffer.concat([
          headerDef,
          header('Foo.Sum', 1),
          arrayDef(66, INT_ID, 10_000),
          arrayDef(67, 66, 10_000),
          structDef(68, 'Reply', [{ name: 'F', id: 67 }]),
          emptyStruct(68),
        ]),
      );
    });
  });
  await new Promise<void>((resolve) => hostile.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    for (const socket of sockets) socket.destroy();
    hostile.close();
  });
  const port = (hostile.address() as { port: number }).port;
  const client = await dial(`tcp@127.0.0.1:${port}`, { codec: 'application/gob' });
  t.after(() => client.close());
  const started = Date.now();
  await assert.rejects(client.call('Foo.Sum', { Num1: 1, Num2: 2 }), {
    code: 'ERR_BAD_FRAME',
    message: /rpc client: reading reply: gob: over budget: Reply/,
  });
  assert.ok(Date.now() - started < 10_000);
});
