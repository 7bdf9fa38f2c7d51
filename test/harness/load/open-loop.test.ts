import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { test } from 'node:test';
import { DROPPED_CALL_CODE } from '../../../src/harness/errors.ts';
import { OpenLoop } from '../../../src/harness/load/open-loop.ts';
import { PhaseRecorder } from '../../../src/harness/metrics/phase-recorder.ts';
import { mergeEncoded } from '../../../src/result/histogram.ts';
import type { CallOutcome, XClient } from '../../../src/xclient/xclient.ts';
import { singleClientTarget } from '../../fixtures/load-target.ts';

const ADDRESS = 'tcp@127.0.0.1:1';

/** An XClient stand-in whose calls answer when the test says so. */
function heldClient(): { client: XClient; release: () => void; started: () => number } {
  const waiting: (() => void)[] = [];
  let started = 0;
  const client = {
    callDetailed(): Promise<CallOutcome<unknown>> {
      started++;
      return new Promise((resolve) =>
        waiting.push(() => resolve({ reply: null, address: ADDRESS, attempts: 1, endMs: performance.now() })),
      );
    },
  } as unknown as XClient;
  return {
    client,
    release: () => {
      for (const answer of waiting.splice(0)) answer();
    },
    started: () => started,
  };
}

test('calls due while maxInFlight are pending are dropped as errors, never sent', async () => {
  const { client, release, started } = heldClient();
  const startMs = performance.now();
  const recorder = new PhaseRecorder([ADDRESS], startMs);
  const loop = new OpenLoop(
    singleClientTarget(client),
    recorder,
    { rate: { start: 10_000, stages: [] }, maxInFlight: 5, thread: 0, threads: 1 },
    { startMs, deadlineMs: startMs + 60_000, maxCalls: 20 },
  );
  const running = loop.run();
  while (recorder.calls < 15) await new Promise((resolve) => setTimeout(resolve, 1));
  assert.equal(started(), 5);
  release();
  await running;
  const slice = recorder.finish();
  assert.equal(slice.calls, 20);
  assert.deepEqual(slice.errorsByCode, { [DROPPED_CALL_CODE]: 15 });
  assert.deepEqual(slice.clientCounts, [5]);
});

test('latency is measured from the intended start: time the generator lost is charged to the calls', async () => {
  const client = {
    callDetailed: () =>
      Promise.resolve({ reply: null, address: ADDRESS, attempts: 1, endMs: performance.now() }),
  } as unknown as XClient;
  const startMs = performance.now();
  const recorder = new PhaseRecorder([ADDRESS], startMs);
  const loop = new OpenLoop(
    singleClientTarget(client),
    recorder,
    { rate: { start: 1_000, stages: [] }, maxInFlight: 1_000, thread: 0, threads: 1 },
    { startMs, deadlineMs: startMs + 60_000, maxCalls: 100 },
  );
  const running = loop.run();
  // Block the thread for 50 ms: the calls due meanwhile leave late, and their latency says so,
  // though the stand-in answers at once.
  const blockedUntil = performance.now() + 50;
  while (performance.now() < blockedUntil) {
    /* busy on purpose */
  }
  await running;
  const slice = recorder.finish();
  assert.equal(slice.calls, 100);
  const latency = mergeEncoded(slice.timeline.flatMap((entry) => entry.servers[0]?.encoded || []));
  assert.ok(latency.maxValue >= 40_000, `max latency ${latency.maxValue} µs`);
});
