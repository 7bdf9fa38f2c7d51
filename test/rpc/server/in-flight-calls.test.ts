import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InFlightCalls } from '../../../src/rpc/server/in-flight-calls.ts';

interface FakeCall {
  name: string;
  inFlightIndex: number;
}

const fakeCall = (name: string): FakeCall => ({ name, inFlightIndex: -1 });
const names = (calls: FakeCall[]) => calls.map((call) => call.name).sort();

test('calls are added and removed in any order, each once', () => {
  const calls = new InFlightCalls<FakeCall>();
  const a = fakeCall('a');
  const b = fakeCall('b');
  const c = fakeCall('c');
  const d = fakeCall('d');
  for (const call of [a, b, c, d]) calls.add(call);
  assert.equal(calls.size, 4);
  calls.delete(b);
  calls.delete(b);
  calls.delete(a);
  assert.equal(calls.size, 2);
  assert.deepEqual(names(calls.takeAll()), ['c', 'd']);
  assert.equal(calls.size, 0);
  assert.equal(c.inFlightIndex, -1);
});

test('a call removed after takeAll, as a late reply does, changes nothing', () => {
  const calls = new InFlightCalls<FakeCall>();
  const late = fakeCall('late');
  calls.add(late);
  calls.takeAll();
  calls.add(fakeCall('other'));
  calls.delete(late);
  assert.equal(calls.size, 1);
  assert.deepEqual(names(calls.takeAll()), ['other']);
});
