import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runScenario } from '../../../src/harness/runner.ts';
import { decodeHistogram } from '../../../src/result/histogram.ts';
import { type RunResult, runResultSchema, type TimelineEntry } from '../../../src/result/result-schema.ts';
import { validateScenario } from '../../../src/scenario/scenario-loader.ts';
import type { ScenarioInput } from '../../../src/scenario/scenario-schema.ts';

async function runInline(input: ScenarioInput): Promise<RunResult> {
  const result = await runScenario({ file: 'inline.ts', scenario: validateScenario(input, 'inline.ts') });
  return runResultSchema.parse(result);
}

const total = (entries: readonly TimelineEntry[], read: (entry: TimelineEntry) => number) =>
  entries.reduce((sum, entry) => sum + read(entry), 0);

function sumByCode(entries: readonly TimelineEntry[]): Record<string, number> {
  const sums: Record<string, number> = {};
  for (const entry of entries)
    for (const [code, count] of Object.entries(entry.errorsByCode)) sums[code] = (sums[code] ?? 0) + count;
  return sums;
}

function checkEntries(entries: readonly TimelineEntry[], stepMs: number, what: string): void {
  entries.forEach((entry, i) => {
    assert.equal(entry.startMs, i * stepMs, `${what}[${i}].startMs`);
    assert.ok(entry.durationMs <= stepMs, `${what}[${i}].durationMs ${entry.durationMs}`);
    assert.ok(entry.p50Us <= entry.p99Us && entry.p99Us <= entry.maxUs, `${what}[${i}] percentiles in order`);
    assert.equal(
      decodeHistogram(entry.encoded).totalCount,
      entry.calls - entry.errors,
      `${what}[${i}] histogram`,
    );
    assert.equal(
      total([entry], (e) => Object.values(e.errorsByCode).reduce((a, b) => a + b, 0)),
      entry.errors,
    );
  });
}

test('the timeline follows timelineIntervalMs, over two load threads, with errors by code, per server too', async () => {
  const result = await runInline({
    name: 'timeline',
    servers: {
      count: 3,
      threads: 1,
      behaviour: { serviceTime: { distribution: 'fixed', us: 500 } },
      overrides: { '2': { errorRate: 0.3 } },
    },
    loadThreads: 2,
    clients: 2,
    load: { model: 'closed', concurrency: 8 },
    durationMs: 600,
    warmupMs: 0,
    timelineIntervalMs: 50,
  });
  const [phase] = result.phases;
  assert.ok(phase !== undefined);
  assert.ok(phase.timeline.length >= 6, `${phase.timeline.length} intervals of 50 ms in a 600 ms phase`);
  checkEntries(phase.timeline, 50, 'timeline');
  assert.equal(
    total(phase.timeline, (e) => e.calls),
    phase.calls,
  );
  assert.equal(
    total(phase.timeline, (e) => e.errors),
    phase.errors,
  );
  assert.deepEqual(sumByCode(phase.timeline), phase.errorsByCode);
  assert.ok(phase.errors > 0, 'server 2 answers some calls with an error');
  phase.servers.forEach((server, s) => {
    assert.equal(server.timeline.length, phase.timeline.length, `server ${s}: same intervals`);
    checkEntries(server.timeline, 50, `servers[${s}].timeline`);
    assert.equal(
      total(server.timeline, (e) => e.calls),
      server.clientCount,
      `server ${s}: calls`,
    );
    assert.equal(
      total(server.timeline, (e) => e.errors),
      server.errors,
      `server ${s}: errors`,
    );
    assert.equal(server.latency.summary.count, server.clientCount - server.errors, `server ${s}: latencies`);
  });
  assert.deepEqual(
    phase.servers.map((server) => server.errors > 0),
    [false, false, true],
  );
  assert.equal(
    phase.servers.reduce((sum, server) => sum + server.errors, 0),
    phase.errors,
  );
});

test('the default step is 100 ms', async () => {
  const result = await runInline({
    name: 'default-step',
    servers: { count: 1, threads: 1 },
    load: { model: 'closed', concurrency: 2 },
    durationMs: 500,
    warmupMs: 0,
  });
  const [phase] = result.phases;
  assert.equal(result.scenario.config.timelineIntervalMs, 100);
  assert.ok(phase !== undefined && phase.timeline.length >= 4, `${phase?.timeline.length} intervals`);
  checkEntries(phase.timeline, 100, 'timeline');
});
