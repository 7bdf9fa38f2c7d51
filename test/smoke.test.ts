import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dial, Foo, Server } from '../src/index.ts';

test('a call round-trips', async () => {
  const server = new Server().register(new Foo());
  const client = await dial(await server.listen());
  assert.equal(await client.call('Foo.Sum', { Num1: 1, Num2: 2 }), 3);
  await client.close();
  await server.close();
});
