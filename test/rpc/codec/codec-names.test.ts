// A codec is named by its short name or its full name everywhere: library, scenarios, CLI.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveClientOptions } from '../../../src/rpc/client.ts';
import { Server } from '../../../src/rpc/server/server.ts';
import { validateScenario } from '../../../src/scenario/scenario-loader.ts';
import { isRpcError } from '../../../src/util/errors.ts';

test('the client takes gob and application/gob alike, and names both forms when refusing another', () => {
  assert.equal(resolveClientOptions({ codec: 'gob' }).codec, 'application/gob');
  assert.equal(resolveClientOptions({ codec: 'application/gob' }).codec, 'application/gob');
  assert.equal(resolveClientOptions({ codec: 'msgpack' }).codec, 'application/msgpack');
  assert.throws(
    () => resolveClientOptions({ codec: 'protobuf' as 'gob' }),
    (error: Error) =>
      isRpcError(error, 'ERR_INVALID_ARGUMENT') &&
      /application\/gob/.test(error.message) &&
      /json, msgpack, gob/.test(error.message) &&
      /got protobuf/.test(error.message),
  );
});

test('the server takes short and full names in codecs, and refuses an unknown one', async () => {
  const server = new Server({ codecs: ['gob', 'application/json'], log: () => {} });
  await server.destroy();
  assert.throws(
    () => new Server({ codecs: ['gob', 'xml' as 'gob'] }),
    (error: Error) => isRpcError(error, 'ERR_INVALID_ARGUMENT') && /"xml"/.test(error.message),
  );
});

test('a scenario takes application/gob as gob', () => {
  assert.equal(validateScenario({ name: 'full', codec: 'application/gob' }, 'x.ts').codec, 'gob');
  assert.equal(validateScenario({ name: 'short', codec: 'gob' }, 'x.ts').codec, 'gob');
  assert.throws(() => validateScenario({ name: 'bad', codec: 'xml' }, 'x.ts'), /codec/);
});
