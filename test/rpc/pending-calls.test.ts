import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PendingCalls } from '../../src/rpc/pending-calls.ts';

test('calls are taken back by sequence number, in any order, exactly once', () => {
  const pending = new PendingCalls<string>();
  for (let seq = 1; seq <= 100; seq++) pending.set(seq, `call ${seq}`);
  assert.equal(pending.size, 100);
  assert.equal(pending.take(50), 'call 50');
  assert.equal(pending.take(50), undefined, 'a reply for a call already answered is dropped');
  assert.equal(pending.take(1), 'call 1');
  assert.equal(pending.take(100), 'call 100');
  assert.equal(pending.take(101), undefined, 'a number never sent');
  assert.equal(pending.size, 97);
});

test('a call still waiting after thousands of later calls is not lost', () => {
  const pending = new PendingCalls<string>();
  pending.set(1, 'slow');
  for (let seq = 2; seq <= 5000; seq++) {
    pending.set(seq, `fast ${seq}`);
    assert.equal(pending.take(seq), `fast ${seq}`);
  }
  assert.equal(pending.size, 1);
  assert.equal(pending.take(1), 'slow');
  assert.equal(pending.size, 0);
});

test('takeAll empties the table and returns every waiting call', () => {
  const pending = new PendingCalls<number>();
  const seqs = [1, 2, 3, 1025, 2049, 70_000];
  for (const seq of seqs) pending.set(seq, seq);
  assert.deepEqual(
    pending.takeAll().sort((a, b) => a - b),
    seqs,
  );
  assert.equal(pending.size, 0);
  for (const seq of seqs) assert.equal(pending.take(seq), undefined);
});
