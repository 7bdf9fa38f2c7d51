import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseServeOptions } from '../../../src/cli/serve.ts';
import { dial } from '../../../src/rpc/dial.ts';
import { Server } from '../../../src/rpc/server/server.ts';
import { dialFor, startServer } from '../../fixtures/rpc-server.ts';

test('ServerOptions.gobBudget: a stream defining more types than maxTypes is closed, naming the limit; others are served', async (t) => {
  const { address, logs } = await startServer(t, { gobBudget: { maxTypes: 1 } });
  // A gob call defines two types: the header and the arguments' struct.
  const tight = await dialFor(t, address, { codec: 'gob' });
  await assert.rejects(tight.call('Foo.Sum', { Num1: 1, Num2: 2 }), { code: 'ERR_CONN_CLOSED' });
  assert.match(
    logs.lines.join('\n'),
    /ERR_GOB_BUDGET_EXCEEDED.*more than 1 type definitions on one stream \(maxTypes\)/,
  );
  const json = await dialFor(t, address, { codec: 'json' });
  assert.equal(await json.call('Foo.Sum', { Num1: 1, Num2: 2 }), 3);
  const { address: roomy } = await startServer(t, { gobBudget: { maxTypes: 2 } });
  assert.equal(await (await dialFor(t, roomy, { codec: 'gob' })).call('Foo.Sum', { Num1: 1, Num2: 2 }), 3);
});

test('ClientOptions.gobBudget: a reply over the client’s element budget fails with ERR_BAD_FRAME naming it', async (t) => {
  const { address } = await startServer(t);
  const client = await dialFor(t, address, {
    codec: 'gob',
    gobBudget: { elementsPerByte: 1, elementAllowance: 1 },
  });
  // Fifty fields left zero: a few bytes on the wire, fifty elements once decoded.
  const wide = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`F${i}`, 0]));
  await assert.rejects(client.call('Bench.Echo', wide), {
    code: 'ERR_BAD_FRAME',
    message: /over budget.*\(elementsPerByte, elementAllowance\)/,
  });
});

test('gob budgets are validated, naming the option', async () => {
  assert.throws(() => new Server({ gobBudget: { maxTypes: 0 } }), {
    code: 'ERR_INVALID_ARGUMENT',
    message: /options\.gobBudget\.maxTypes must be a positive integer, got 0/,
  });
  await assert.rejects(dial('tcp@127.0.0.1:1', { gobBudget: { maxTypeFields: -1 } }), {
    code: 'ERR_INVALID_ARGUMENT',
    message: /options\.gobBudget\.maxTypeFields must be a positive integer/,
  });
});

test('serve takes the gob budget as flags and passes only those given', () => {
  assert.deepEqual(parseServeOptions(['--gob-max-types', '64', '--gob-elements-per-byte', '4']).server, {
    gobBudget: { elementsPerByte: 4, maxTypes: 64 },
  });
  assert.deepEqual(
    parseServeOptions([
      '--gob-element-allowance',
      '10',
      '--gob-max-type-fields',
      '20',
      '--gob-max-type-bytes',
      '30',
    ]).server.gobBudget,
    { elementAllowance: 10, maxTypeFields: 20, maxTypeDefinitionBytes: 30 },
  );
  assert.equal(parseServeOptions([]).server.gobBudget, undefined);
  assert.throws(() => parseServeOptions(['--gob-max-types', '0'], () => {}));
});
