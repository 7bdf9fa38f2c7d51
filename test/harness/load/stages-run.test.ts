import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { test } from 'node:test';
import { ClosedLoop } from '../../../src/harness/load/closed-loop.ts';
import { concurrencyAt, type RampSchedule } from '../../../src/harness/load/load-schedule.ts';
import { PhaseRecorder } from '../../../src/harness/metrics/phase-recorder.ts';
import { runScenario } from '../../../src/harness/runner.ts';
import { runResultSchema } from '../../../src/result/result-schema.ts';
import { validateScenario } from '../../../src/scenario/scenario-loader.ts';
import type { ScenarioInput } from '../../../src/scenario/scenario-schema.ts';
import type { CallOutcome, XClient } from '../../../src/xclient/xclient.ts';
import { singleClientTarget } from '../../fixtures/load-target.ts';

const ADDRESS = 'tcp@127.0.0.1:1';

async function run(input: ScenarioInput) {
  const result = await runScenario({ file: 'inline.ts', scenario: validateScenario(input, 'inline.ts') });
  runResultSchema.parse(result);
  assert.equal(result.partial, false);
  return result;
}

test('an open ramp makes the calls its rate integrates to, over two load threads', async () => {
  // 0 -> 200/s over 1 s (100 calls), 200/s for 0.5 s (100), 200 -> 0/s over 0.5 s (50).
  const result = await run({
    name: 'open-ramp',
    servers: { count: 2 },
    loadThreads: 2,
    clients: 2,
    load: {
      model: 'open',
      stages: [
        { durationMs: 1_000, ratePerSecond: 200 },
        { durationMs: 500, ratePerSecond: 200 },
        { durationMs: 500, ratePerSecond: 0 },
      ],
    },
    warmupMs: 0,
  });
  const [phase] = result.phases;
  // The schedule fixes the count exactly; the calls are counted, not timed.
  assert.equal(phase!.calls, 250);
  assert.equal(phase!.errors, 0);
  assert.equal(
    phase!.servers.reduce((sum, server) => sum + server.serverCount!, 0),
    250,
  );
  // The phase lasts the stages' sum: the last calls are due after 1.5 s.
  assert.ok(phase!.durationMs > 1_500, `${phase!.durationMs} ms`);
});

test('an open ramp from 0 to N over T makes N*T/2 calls', async () => {
  const ramp = await run({
    name: 'open-ramp-half',
    servers: { count: 1 },
    load: { model: 'open', stages: [{ durationMs: 800, ratePerSecond: 500 }] },
    warmupMs: 0,
  });
  assert.equal(ramp.phases[0]!.calls, 200);
});

/** An XClient stand-in answering after `serviceMs`, counting the calls it holds at once. */
function countingClient(serviceMs: number) {
  const samples: { atMs: number; inFlight: number }[] = [];
  let inFlight = 0;
  const client = {
    async callDetailed(): Promise<CallOutcome<unknown>> {
      inFlight++;
      samples.push({ atMs: performance.now(), inFlight });
      await new Promise((resolve) => setTimeout(resolve, serviceMs));
      inFlight--;
      return { reply: null, address: ADDRESS, attempts: 1, endMs: performance.now() };
    },
  } as unknown as XClient;
  return { client, samples };
}

test('a closed ramp runs as many callers as the schedule says at each instant, split over threads', async () => {
  const schedule: RampSchedule = {
    start: 1,
    stages: [
      { durationMs: 400, target: 8 },
      { durationMs: 300, target: 8 },
    ],
  };
  const { client, samples } = countingClient(5);
  const target = singleClientTarget(client);
  const startMs = performance.now();
  const limits = { startMs, deadlineMs: startMs + 700, maxCalls: 100_000 };
  const recorders = [new PhaseRecorder([ADDRESS], startMs), new PhaseRecorder([ADDRESS], startMs)];
  // Two load threads' loops, in one thread here: callers 0, 2, 4, 6 and 1, 3, 5, 7.
  const loops = recorders.map(
    (recorder, thread) =>
      new ClosedLoop(target, recorder, 4, limits, { concurrency: schedule, thread, threads: 2 }),
  );
  await Promise.all(loops.map((loop) => loop.run()));
  for (const recorder of recorders) recorder.discard();
  // A rising ramp never runs more callers than its level at the instant a call starts.
  for (const { atMs, inFlight } of samples) {
    assert.ok(
      inFlight <= concurrencyAt(schedule, atMs - startMs),
      `${inFlight} in flight at ${atMs - startMs} ms`,
    );
  }
  assert.equal(Math.max(...samples.map((sample) => sample.inFlight)), 8);
  const early = samples.filter((sample) => sample.atMs - startMs < 50);
  assert.ok(early.length > 0 && early.every((sample) => sample.inFlight === 1));
});

test('a closed ramp down retires callers: far fewer calls than the peak held throughout', async () => {
  const schedule: RampSchedule = { start: 8, stages: [{ durationMs: 400, target: 0 }] };
  const { client, samples } = countingClient(5);
  const target = singleClientTarget(client);
  const startMs = performance.now();
  const recorder = new PhaseRecorder([ADDRESS], startMs);
  const loop = new ClosedLoop(
    target,
    recorder,
    8,
    { startMs, deadlineMs: startMs + 400, maxCalls: 100_000 },
    {
      concurrency: schedule,
      thread: 0,
      threads: 1,
    },
  );
  await loop.run();
  recorder.discard();
  // 8 -> 0 over 0.4 s is 1.6 caller-seconds at most 1 call per 5 ms each, and one call per caller
  // finishing as it is retired: at most 320 + 8 calls, where 8 callers held throughout could make 640.
  assert.ok(samples.length <= 328, `${samples.length} calls`);
  const late = samples.filter((sample) => sample.atMs - startMs > 300);
  assert.ok(
    late.every((sample) => sample.inFlight <= 3),
    'at most 2 callers past 300 ms, and one retiring',
  );
});
