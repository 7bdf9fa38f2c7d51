import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_EVENTS_PER_SHARE, PhaseRecorder } from '../../src/harness/metrics/phase-recorder.ts';
import { runScenario } from '../../src/harness/runner.ts';
import { type RunResult, runResultSchema } from '../../src/result/result-schema.ts';
import { ConnectionClosedError } from '../../src/rpc/errors.ts';
import { ScenarioError } from '../../src/scenario/errors.ts';
import { planPhases } from '../../src/scenario/phase-plan.ts';
import { loadScenario, validateScenario } from '../../src/scenario/scenario-loader.ts';
import type { ScenarioInput } from '../../src/scenario/scenario-schema.ts';
import { withAddress } from '../../src/xclient/errors.ts';

async function runInline(input: ScenarioInput): Promise<RunResult> {
  const result = await runScenario({ file: 'inline.ts', scenario: validateScenario(input, 'inline.ts') });
  runResultSchema.parse(result);
  return result;
}

test('scenarios/balancers.ts: three modes, each without and with outlier ejection', async () => {
  const { scenario } = await loadScenario('scenarios/balancers.ts');
  assert.deepEqual(
    planPhases(scenario).map((phase) => [phase.label, phase.outlierDetection]),
    [
      ['roundrobin', false],
      ['roundrobin+ejection', true],
      ['p2c', false],
      ['p2c+ejection', true],
      ['peak-ewma', false],
      ['peak-ewma+ejection', true],
    ],
  );
  assert.deepEqual(
    scenario.servers.overrides['1']?.schedule?.map((step) => step.slowFactor),
    [5, 1],
  );
});

test('schedules and outlier detection are checked field by field', () => {
  const cases: [object, string, RegExp][] = [
    [
      {
        name: 'x',
        servers: {
          overrides: {
            '0': {
              schedule: [
                { atMs: 500, slowFactor: 2 },
                { atMs: 100, slowFactor: 1 },
              ],
            },
          },
        },
      },
      'servers.overrides.0.schedule',
      /increasing atMs/,
    ],
    [
      { name: 'x', servers: { behaviour: { schedule: [{ atMs: 0, errorRate: 2 }] } } },
      'servers.behaviour.schedule.0.errorRate',
      /between 0 and 1/,
    ],
    [
      { name: 'x', outlierDetection: { maxEjectedPercent: 101 } },
      'outlierDetection.maxEjectedPercent',
      /0 to 100/,
    ],
    [{ name: 'x', outlierDetection: { interval: 5 } }, 'outlierDetection.interval', /unknown field/],
    [{ name: 'x', peakEwmaDecayMs: 0 }, 'peakEwmaDecayMs', /positive/],
  ];
  for (const [input, field, message] of cases) {
    assert.throws(
      () => validateScenario(input, 'x.ts'),
      (error: unknown) =>
        error instanceof ScenarioError && error.field === field && message.test(error.message),
      field,
    );
  }
});

test('an erroring server: ejected in the +ejection phase, errors counted, events and per-server timeline in the result', async () => {
  const calls = 600;
  const result = await runInline({
    name: 'ejection',
    servers: {
      count: 3,
      threads: 1,
      // The schedule's first step, at the phase start: the server fails every call from then on.
      overrides: { '0': { schedule: [{ atMs: 0, errorRate: 1 }] } },
    },
    select: 'roundrobin',
    outlierDetection: {
      compare: true,
      consecutiveErrors: 3,
      failurePercentage: 0,
      baseEjectionMs: 600_000,
      maxEjectedPercent: 34,
      countApplicationErrors: true,
    },
    load: { model: 'closed', concurrency: 4 },
    calls,
    warmupMs: 0,
  });
  const [without, withEjection] = result.phases;
  assert.equal(without?.label, 'roundrobin');
  assert.equal(without.errors, calls / 3, 'round robin sends the failing server its third');
  assert.deepEqual(without.events, []);
  assert.equal(withEjection?.label, 'roundrobin+ejection');
  // Three failures in a row eject it; calls already in flight to it (at most the concurrency) fail too.
  assert.ok(withEjection.errors >= 3 && withEjection.errors <= 3 + 4, `errors: ${withEjection.errors}`);
  assert.deepEqual(
    withEjection.events?.map((event) => [event.kind, event.address]),
    [['ejected', withEjection.servers[0]!.address]],
  );
  for (const phase of result.phases) {
    const perServer = phase.servers.map((server) =>
      server.timeline.reduce((sum, entry) => sum + entry.calls, 0),
    );
    assert.deepEqual(
      perServer,
      phase.servers.map((server) => server.clientCount),
      `${phase.label}: the timeline's per-server counts add up to the client counts`,
    );
  }
});

test('peak-ewma in a scenario: a server made 100 times slower by its schedule gets few calls', async () => {
  const calls = 600;
  const result = await runInline({
    name: 'degraded',
    servers: {
      count: 3,
      threads: 1,
      behaviour: { serviceTime: { distribution: 'fixed', us: 1_000 } },
      overrides: { '2': { schedule: [{ atMs: 0, slowFactor: 100 }] } },
    },
    select: ['roundrobin', 'peak-ewma'],
    load: { model: 'closed', concurrency: 6 },
    calls,
    warmupMs: 0,
  });
  const [roundrobin, peakEwma] = result.phases;
  assert.equal(roundrobin?.servers[2]?.serverCount, calls / 3);
  // Even shares would be 200; at 100 ms against 1 ms it is tried now and then, far less often.
  assert.ok(
    peakEwma!.servers[2]!.serverCount! < 60,
    `slow server: ${peakEwma!.servers[2]!.serverCount} calls`,
  );
});

test('the recorder keeps outlier events from the phase start, per-server counts per interval, and at most its cap of events', () => {
  const a = 'tcp@127.0.0.1:1';
  const b = 'tcp@127.0.0.1:2';
  const startMs = 5_000;
  const recorder = new PhaseRecorder([a, b], startMs);
  recorder.ok(a, startMs, startMs + 1);
  recorder.ok(b, startMs + 10, startMs + 11);
  recorder.fail(withAddress(new ConnectionClosedError(), b), startMs + 1_500);
  recorder.outlierEvent({
    kind: 'ejected',
    address: b,
    atMs: startMs + 1_500,
    reason: 'consecutive-errors',
    ejectionMs: 100,
  });
  for (let i = 0; i < MAX_EVENTS_PER_SHARE; i++)
    recorder.outlierEvent({ kind: 'returned', address: b, atMs: startMs + 2_000 });
  const slice = recorder.finish();
  // 100 ms intervals: the two calls in the first, the failure in the sixteenth.
  assert.deepEqual(
    slice.timeline.map((interval) => [interval.index, interval.servers.map((server) => server.calls)]),
    [
      [0, [1, 1]],
      [15, [0, 1]],
    ],
  );
  assert.equal(slice.events.length, MAX_EVENTS_PER_SHARE);
  assert.deepEqual(slice.events[0], {
    kind: 'ejected',
    address: b,
    atMs: 1_500,
    reason: 'consecutive-errors',
    ejectionMs: 100,
  });
});
