import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OutputBuffer } from '../../src/rpc/output-buffer.ts';

function put(out: OutputBuffer, text: string): void {
  out.append(Buffer.from(text));
}

test('lent bytes are left alone until reclaimed, then written over', () => {
  const out = new OutputBuffer();
  put(out, 'first');
  const lent = out.lend();
  assert.equal(lent.toString(), 'first');
  assert.equal(out.length, 0);
  put(out, 'SECOND');
  assert.equal(lent.toString(), 'first', 'not reclaimed: the next bytes went elsewhere');
  const next = out.lend();
  out.reclaim();
  put(out, 'third!');
  assert.equal(next.toString(), 'third!', 'reclaimed: the same memory is written again');
});

test('taken bytes are a copy, whatever is written next', () => {
  const out = new OutputBuffer();
  put(out, 'first');
  const taken = out.take();
  put(out, 'SECOND');
  assert.equal(taken.toString(), 'first');
});

test('a buffer grown past the retained bound is not kept after it is lent', () => {
  const out = new OutputBuffer();
  out.append(Buffer.alloc(2 * 1024 * 1024, 0x61));
  const lent = out.lend();
  out.reclaim();
  put(out, 'small');
  assert.equal(lent[0], 0x61, 'the large buffer was dropped, not written over');
});
