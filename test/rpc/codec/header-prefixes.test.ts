import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LastPrefix, MethodPrefixes } from '../../../src/rpc/codec/header-prefixes.ts';

test('method prefixes are made once per method, stay right past the bound, and skip long methods', () => {
  const made: string[] = [];
  const prefixes = new MethodPrefixes((method) => {
    made.push(method);
    return method.startsWith('!') ? undefined : Buffer.from(`<${method}>`);
  });
  for (let round = 0; round < 2; round++) {
    for (let i = 0; i < 300; i++) assert.equal(prefixes.of(`M.m${i}`)?.toString(), `<M.m${i}>`);
  }
  // A peer naming ever new methods cannot grow the table: past 256 it is emptied, so 300 methods
  // called twice are made more than 300 times.
  assert.ok(made.length > 300, `made ${made.length} times`);
  assert.equal(prefixes.of('A.a')?.toString(), '<A.a>');
  assert.equal(prefixes.of('A.a')?.toString(), '<A.a>');
  assert.equal(prefixes.of('!A.a'), undefined);
  assert.equal(prefixes.of('!A.a'), undefined);
  assert.equal(prefixes.of('x'.repeat(65)), undefined);
  assert.equal(made.filter((method) => method === 'A.a' || method === '!A.a').length, 2);
  assert.ok(!made.includes('x'.repeat(65)));
});

test('the last prefix read matches only the same bytes, and a long one is not kept', () => {
  const last = new LastPrefix();
  const source = Buffer.from('..abcdef..');
  assert.equal(last.match(source, 2, 8), undefined);
  last.remember(source, 2, 6, 'abcd');
  assert.equal(last.match(source, 2, 8), 'abcd');
  assert.equal(last.match(source, 2, 5), undefined, 'cut before the prefix ends');
  assert.equal(last.match(Buffer.from('abce'), 0, 4), undefined);
  last.remember(Buffer.alloc(200, 0x61), 0, 200, 'long');
  assert.equal(last.match(source, 2, 8), 'abcd');
});
