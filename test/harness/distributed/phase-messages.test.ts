import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ownFigures } from '../../../src/harness/distributed/phase-messages.ts';
import type { LoadShareResult } from '../../../src/harness/metrics/phase-recorder.ts';
import { PhaseRecorder } from '../../../src/harness/metrics/phase-recorder.ts';
import { describeAgent } from '../../../src/report/text-summary.ts';
import type { PhasePlan } from '../../../src/scenario/phase-plan.ts';

const ADDRESS = 'tcp@127.0.0.1:1';
const PLAN: PhasePlan = {
  label: 'roundrobin',
  mode: 'roundrobin',
  reuseClients: true,
  outlierDetection: false,
};

/** One thread's share of an open-model phase of 1 s: `ok` answered calls and `dropped` calls never sent. */
function share(ok: number, dropped: number): LoadShareResult {
  const recorder = new PhaseRecorder([ADDRESS], 0);
  for (let call = 0; call < ok; call++) recorder.ok(ADDRESS, call, call + 2);
  for (let call = 0; call < dropped; call++) recorder.drop(call);
  recorder.ok(ADDRESS, 998, 1_000);
  return { thread: 0, stopped: false, ...recorder.finish() };
}

test("a load host's figures split offered, achieved, ok and dropped as a phase's do", () => {
  const figures = ownFigures(PLAN, [share(99, 300)]);
  assert.equal(figures.calls, 400);
  assert.equal(figures.ok, 100);
  assert.equal(figures.dropped, 300);
  assert.ok(Math.abs(figures.offeredPerSecond! - 400) < 1, `offered ${figures.offeredPerSecond}`);
  assert.ok(Math.abs(figures.callsPerSecond - 100) < 1, `achieved ${figures.callsPerSecond}`);
  const line = describeAgent({
    name: 'host-a',
    host: 'a',
    cores: 2,
    threads: 1,
    ...figures,
    startAtEpochMs: 0,
    goHeardAtEpochMs: 0,
    clockOffsetMs: 0,
  });
  assert.match(line, /: 100 calls\/s \(offered 400 calls\/s\), ok 100, errors 0, dropped 300, p99 /);
});
