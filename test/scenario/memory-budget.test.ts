import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runScenario } from '../../src/harness/runner.ts';
import { TIMELINE_HISTOGRAM_BYTES, timelineIntervalCap } from '../../src/result/timeline.ts';
import { ScenarioError } from '../../src/scenario/errors.ts';
import {
  checkMemoryBudget,
  estimateScenarioMemory,
  parseByteSize,
} from '../../src/scenario/memory-budget.ts';
import { type LoadedScenario, loadScenario, validateScenario } from '../../src/scenario/scenario-loader.ts';
import { resolveServerBehaviours, SCENARIO_DEFAULTS } from '../../src/scenario/scenario-schema.ts';
import { type CliExit, runCli } from '../fixtures/run-cli.ts';

const HOG = 'test/fixtures/scenarios/memory-hog.ts';
/** Liveness only. */
const CLI_TIMEOUT_MS = 60_000;
let outDir = '';

before(async () => {
  outDir = await mkdtemp(join(tmpdir(), 'rpcbench-scenario-limits-'));
});

after(async () => {
  await rm(outDir, { recursive: true, force: true });
});

function runBench(args: string[]): Promise<CliExit> {
  return runCli('bench.ts', args, { timeoutMs: CLI_TIMEOUT_MS });
}

function inline(input: Record<string, unknown>): LoadedScenario {
  return { file: 'inline.ts', scenario: validateScenario({ name: 'inline', ...input }, 'inline.ts') };
}

function budgetRefusal(loaded: LoadedScenario, override?: number): ScenarioError {
  try {
    checkMemoryBudget(loaded, override);
  } catch (error) {
    assert.ok(error instanceof ScenarioError, String(error));
    assert.equal(error.code, 'ERR_INVALID_SCENARIO');
    return error;
  }
  assert.fail('the scenario was accepted');
}

test('10,000 calls in flight of 1 MiB: bench refuses it with exit 2, naming the fields and the estimate, running nothing', async () => {
  const { code, stdout, stderr } = await runBench(['--quiet', '--out', outDir, HOG]);
  assert.equal(code, 2, `stdout: ${stdout}\nstderr: ${stderr}`);
  assert.match(stderr, /^invalid scenario: test\/fixtures\/scenarios\/memory-hog\.ts: load\.concurrency: /m);
  assert.match(stderr, /load\.concurrency \(10000\)/);
  assert.match(stderr, /payloadBytes \(1048576\)/);
  assert.match(
    stderr,
    /would hold about 39\.\d GiB in memory, over the default memoryBudgetBytes \(512 MiB\)/,
  );
  // No phase started and nothing was written.
  assert.doesNotMatch(stderr, /phase/);
  assert.deepEqual(await readdir(outDir), []);
});

test('runScenario refuses a scenario over its budget too, before starting a server', async () => {
  // Small on purpose: were the check missing, this would run (briefly) instead of exhausting memory.
  const loaded = inline({ memoryBudgetBytes: 1_000, calls: 20, warmupMs: 0, servers: { count: 1 } });
  await assert.rejects(
    runScenario(loaded),
    (error: unknown) =>
      error instanceof ScenarioError &&
      error.field === 'load.concurrency' &&
      /over memoryBudgetBytes \(1000 B\)/.test(error.message),
  );
});

test('the estimate: calls in flight × 4 copies × (payload + 1 KiB), plus servers and threads', () => {
  const hog = inline({ load: { model: 'closed', concurrency: 10_000 }, payloadBytes: 1_048_576 });
  const estimate = estimateScenarioMemory(hog.scenario);
  assert.equal(estimate.callsInFlight, 10_000);
  assert.equal(estimate.callBytes, 10_000 * 4 * (1_048_576 + 1_024));
  // 3 servers of 1 MiB, 2 server threads and 1 load thread of 32 MiB.
  assert.equal(estimate.baselineBytes, 3 * 2 ** 20 + 3 * 32 * 2 ** 20);
  // 1 load thread and 1 phase, each holding 600 intervals of 4 histograms (the phase's and 3 servers').
  assert.equal(estimate.timelineBytes, 2 * 600 * 4 * TIMELINE_HISTOGRAM_BYTES);
  assert.equal(estimate.bytes, estimate.callBytes + estimate.baselineBytes + estimate.timelineBytes);
  // A broadcast call is in flight at every server.
  const broadcast = inline({
    select: 'broadcast',
    servers: { count: 8 },
    load: { model: 'closed', concurrency: 10 },
  });
  assert.equal(estimateScenarioMemory(broadcast.scenario).callsInFlight, 80);
});

test('the timeline part stays bounded however long the phase: many servers get fewer intervals', () => {
  const many = inline({ servers: { count: 64 }, loadThreads: 16, clients: 16, durationMs: 3_600_000 });
  const estimate = estimateScenarioMemory(many.scenario);
  assert.equal(timelineIntervalCap(64), 123);
  assert.equal(estimate.timelineBytes, (16 + 1) * 123 * 65 * TIMELINE_HISTOGRAM_BYTES);
  assert.equal(timelineIntervalCap(3), 600);
  const short = estimateScenarioMemory(inline({ durationMs: 1_000 }).scenario).timelineBytes;
  const long = estimateScenarioMemory(inline({ durationMs: 3_600_000 }).scenario).timelineBytes;
  assert.equal(long, short, 'the cap does not depend on the duration');
});

test('the open model is bounded by maxInFlight, and named', () => {
  const open = inline({
    load: { model: 'open', ratePerSecond: 1_000, maxInFlight: 100_000 },
    payloadBytes: 65_536,
  });
  const error = budgetRefusal(open);
  assert.equal(error.field, 'load.maxInFlight');
  assert.match(
    error.message,
    /load\.maxInFlight \(100000\) × 4 copies × \(payloadBytes \(65536\) \+ 1024 B\)/,
  );
});

test('memoryBudgetBytes and --memory-budget raise the budget; an override wins over the field', () => {
  const hog = { load: { model: 'closed', concurrency: 10_000 }, payloadBytes: 1_048_576 };
  const estimate = estimateScenarioMemory(inline(hog).scenario).bytes;
  assert.doesNotThrow(() => checkMemoryBudget(inline({ ...hog, memoryBudgetBytes: 64 * 2 ** 30 })));
  assert.doesNotThrow(() => checkMemoryBudget(inline(hog), estimate));
  const error = budgetRefusal(inline({ ...hog, memoryBudgetBytes: 64 * 2 ** 30 }), estimate - 1);
  assert.match(error.message, /over --memory-budget/);
  const small = budgetRefusal(inline({ memoryBudgetBytes: 1_000 }));
  assert.match(small.message, /over memoryBudgetBytes \(1000 B\)/);
  assert.throws(
    () => validateScenario({ name: 'x', memoryBudgetBytes: 0 }, 'x.ts'),
    (thrown: unknown) => thrown instanceof ScenarioError && thrown.field === 'memoryBudgetBytes',
  );
  assert.equal(SCENARIO_DEFAULTS.memoryBudgetBytes, 512 * 2 ** 20);
  assert.equal(parseByteSize('2GiB'), 2 * 2 ** 30);
  assert.equal(parseByteSize('512m'), 512 * 2 ** 20);
  assert.equal(parseByteSize('1000'), 1_000);
  for (const bad of ['', '0', '-1', '2x', '1e9']) assert.equal(parseByteSize(bad), null, bad);
});

test('a bad --memory-budget is a usage error', async () => {
  const { code, stderr } = await runBench(['--memory-budget', 'lots', 'scenarios/roundrobin.ts']);
  assert.equal(code, 2);
  assert.match(stderr, /--memory-budget/);
});

test('every shipped scenario is within the default budget', async () => {
  const files = [
    ...(await readdir('scenarios')).filter((name) => name.endsWith('.ts')).map((name) => `scenarios/${name}`),
    ...(await readdir('scenarios/gate'))
      .filter((name) => name.endsWith('.ts'))
      .map((name) => `scenarios/gate/${name}`),
  ];
  assert.ok(files.length >= 8);
  for (const file of files) {
    const estimate = checkMemoryBudget(await loadScenario(file));
    assert.ok(estimate.bytes <= SCENARIO_DEFAULTS.memoryBudgetBytes, file);
  }
});

test('an override key that is not the canonical form of a server index is refused naming the key', () => {
  for (const key of ['01', '00', '+1', '1.0', '1e0', ' 1', '0x1']) {
    assert.throws(
      () =>
        validateScenario(
          { name: 'x', servers: { count: 3, overrides: { [key]: { slowFactor: 2 } } } },
          'x.ts',
        ),
      (error: unknown) =>
        error instanceof ScenarioError &&
        error.field === `servers.overrides.${key}` &&
        error.message.includes(`override key ${JSON.stringify(key)} is not a server index`),
      `key ${JSON.stringify(key)}`,
    );
  }
  assert.throws(
    () =>
      validateScenario({ name: 'x', servers: { count: 3, overrides: { '3': { slowFactor: 2 } } } }, 'x.ts'),
    (error: unknown) =>
      error instanceof ScenarioError && /no server 3: servers are numbered 0 to 2/.test(error.message),
  );
});

test('every accepted override key is applied to its server', () => {
  const scenario = validateScenario(
    {
      name: 'x',
      servers: {
        count: 12,
        overrides: { '0': { slowFactor: 2 }, '1': { slowFactor: 3 }, '11': { slowFactor: 4 } },
      },
    },
    'x.ts',
  );
  const factors = resolveServerBehaviours(scenario).map((behaviour) => behaviour.slowFactor);
  assert.deepEqual(factors, [2, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 4]);
});
