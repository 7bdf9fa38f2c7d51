import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { test } from 'node:test';
import { ClosedLoop } from '../../../src/harness/load/closed-loop.ts';
import { OpenLoop } from '../../../src/harness/load/open-loop.ts';
import { PhaseRecorder } from '../../../src/harness/metrics/phase-recorder.ts';
import type { CallOutcome, XClient } from '../../../src/xclient/xclient.ts';
import { singleClientTarget } from '../../fixtures/load-target.ts';

const ADDRESS = 'tcp@127.0.0.1:1';

/** An XClient stand-in that answers at once and keeps the start reading each call was given and the end reading it gave back. */
function clockClient() {
  const calls: { givenStartMs: number | undefined; enteredMs: number; endMs: number }[] = [];
  const client = {
    async callDetailed(_method: string, _args: unknown, _options: unknown, startMs?: number) {
      const enteredMs = performance.now();
      await new Promise((resolve) => setImmediate(resolve));
      const outcome: CallOutcome<unknown> = {
        reply: null,
        address: ADDRESS,
        attempts: 1,
        endMs: performance.now(),
      };
      calls.push({ givenStartMs: startMs, enteredMs, endMs: outcome.endMs });
      return outcome;
    },
  } as unknown as XClient;
  return { client, calls };
}

test("a closed loop's caller starts each call at the XClient's end reading of its last: one clock read per call, shared", async () => {
  const { client, calls } = clockClient();
  const startMs = performance.now();
  const recorder = new PhaseRecorder([ADDRESS], startMs);
  const loop = new ClosedLoop(singleClientTarget(client), recorder, 1, {
    startMs,
    deadlineMs: startMs + 60_000,
    maxCalls: 50,
  });
  await loop.run();
  recorder.discard();
  assert.equal(calls.length, 50);
  for (let i = 1; i < calls.length; i++) {
    assert.equal(calls[i]!.givenStartMs, calls[i - 1]!.endMs, `call ${i}`);
  }
  assert.ok(calls[0]!.givenStartMs! >= startMs && calls[0]!.givenStartMs! <= calls[0]!.enteredMs);
});

test('an open loop gives the XClient the reading at which it sent each call', async () => {
  const { client, calls } = clockClient();
  const startMs = performance.now();
  const recorder = new PhaseRecorder([ADDRESS], startMs);
  const loop = new OpenLoop(
    singleClientTarget(client),
    recorder,
    { rate: { start: 2_000, stages: [] }, maxInFlight: 100, thread: 0, threads: 1 },
    { startMs, deadlineMs: startMs + 60_000, maxCalls: 40 },
  );
  await loop.run();
  const slice = recorder.finish();
  assert.equal(slice.calls, 40);
  assert.equal(calls.length, 40);
  for (const [i, call] of calls.entries()) {
    assert.ok(
      call.givenStartMs !== undefined && call.givenStartMs >= startMs && call.givenStartMs <= call.enteredMs,
      `call ${i}: sent at ${call.givenStartMs}, entered at ${call.enteredMs}`,
    );
  }
});
