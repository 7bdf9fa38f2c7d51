import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ScenarioError } from '../../src/scenario/errors.ts';
import { planPhases } from '../../src/scenario/phase-plan.ts';
import { loadScenario, validateScenario } from '../../src/scenario/scenario-loader.ts';
import {
  resolveServerBehaviours,
  SCENARIO_DEFAULTS,
  serverThreadCount,
} from '../../src/scenario/scenario-schema.ts';

const FIXTURES = 'test/fixtures/scenarios';

async function rejection(file: string): Promise<ScenarioError> {
  try {
    await loadScenario(file);
  } catch (error) {
    assert.ok(error instanceof ScenarioError, `expected a ScenarioError, got ${String(error)}`);
    assert.equal(error.code, 'ERR_INVALID_SCENARIO');
    return error;
  }
  assert.fail(`${file} was accepted`);
}

test('an unknown field is named with its path', async () => {
  const error = await rejection(`${FIXTURES}/unknown-field.ts`);
  assert.equal(error.field, 'servers.colour');
  assert.match(
    error.message,
    /^test\/fixtures\/scenarios\/unknown-field\.ts: servers\.colour: unknown field/,
  );
});

test('a field of the wrong type is named with the rule', async () => {
  const error = await rejection(`${FIXTURES}/wrong-type.ts`);
  assert.equal(error.field, 'durationMs');
  assert.match(error.message, /wrong-type\.ts: durationMs: must be a number/);
});

test('a negative rate is refused', async () => {
  const error = await rejection(`${FIXTURES}/negative-rate.ts`);
  assert.equal(error.field, 'load.ratePerSecond');
  assert.match(error.message, /negative-rate\.ts: load\.ratePerSecond: must be a positive number/);
});

test('a bad threshold is a validation error naming it', async () => {
  const error = await rejection(`${FIXTURES}/bad-threshold.ts`);
  assert.equal(error.field, 'thresholds.1');
  assert.match(error.message, /bad-threshold\.ts: thresholds\.1: threshold "p99 < 5": p99 needs a unit/);
});

test('a threshold scoped to a phase the scenario lacks is refused', () => {
  assert.throws(
    () =>
      validateScenario(
        { name: 'x', select: ['random', 'p2c'], thresholds: ['roundrobin: p99 < 5ms'] },
        'x.ts',
      ),
    (error: unknown) =>
      error instanceof ScenarioError &&
      error.field === 'thresholds.0' &&
      /no phase "roundrobin"; phases are random, p2c/.test(error.message),
  );
});

test('a module without a default export is refused', async () => {
  const error = await rejection(`${FIXTURES}/no-default.ts`);
  assert.equal(error.field, 'default');
  assert.match(error.message, /no-default\.ts: default: no default export/);
});

test('a missing file is refused with its name', async () => {
  const error = await rejection(`${FIXTURES}/does-not-exist.ts`);
  assert.equal(error.field, null);
  assert.equal(error.message, `${FIXTURES}/does-not-exist.ts: file not found`);
});

test('a file with a syntax error is refused with its name', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'rpcbench-scenario-'));
  try {
    const file = join(dir, 'broken.ts');
    await writeFile(file, "export default { name: 'broken', servers: { count: 2 ;\n");
    const error = await rejection(file);
    assert.equal(error.field, null);
    assert.ok(error.message.startsWith(`${file}: cannot be loaded: `), error.message);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('cross-field rules name the field', () => {
  const cases: [object, string, RegExp][] = [
    [
      { name: 'x', servers: { count: 2, overrides: { '2': { slowFactor: 3 } } } },
      'servers.overrides.2',
      /no server 2/,
    ],
    [{ name: 'x', servers: { count: 2, threads: 3 } }, 'servers.threads', /at most servers\.count/],
    [{ name: 'x', loadThreads: 2 }, 'clients', /at least loadThreads/],
    [{ name: 'x', select: ['random', 'random'] }, 'select', /twice/],
    [{ name: 'bad name!' }, 'name', /letters, digits/],
    [{}, 'name', /is required/],
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

test('a minimal scenario gets every default', () => {
  const scenario = validateScenario({ name: 'minimal' }, 'x.ts');
  assert.equal(scenario.servers.count, SCENARIO_DEFAULTS.serverCount);
  assert.deepEqual(scenario.select, ['roundrobin']);
  assert.deepEqual(scenario.load, { model: 'closed', concurrency: SCENARIO_DEFAULTS.concurrency });
  assert.equal(scenario.durationMs, SCENARIO_DEFAULTS.durationMs);
  assert.equal(scenario.calls, undefined);
  assert.equal(scenario.reuseClients, true);
  assert.equal(serverThreadCount(scenario), 2);
  assert.deepEqual(scenario.servers.behaviour, {
    serviceTime: { distribution: 'fixed', us: 0 },
    errorRate: 0,
    slowFactor: 1,
    weight: 1,
  });
});

test('per-server overrides lie over the common behaviour, and phases follow modes and reuse', () => {
  const scenario = validateScenario(
    {
      name: 'x',
      servers: { count: 3, behaviour: { errorRate: 0.5 }, overrides: { '1': { slowFactor: 4, weight: 2 } } },
      select: ['roundrobin', 'p2c'],
      reuseClients: 'compare',
    },
    'x.ts',
  );
  const behaviours = resolveServerBehaviours(scenario);
  assert.deepEqual(
    behaviours.map(({ errorRate, slowFactor, weight }) => ({ errorRate, slowFactor, weight })),
    [
      { errorRate: 0.5, slowFactor: 1, weight: 1 },
      { errorRate: 0.5, slowFactor: 4, weight: 2 },
      { errorRate: 0.5, slowFactor: 1, weight: 1 },
    ],
  );
  assert.deepEqual(
    planPhases(scenario).map((phase) => phase.label),
    ['roundrobin/cached', 'roundrobin/dial', 'p2c/cached', 'p2c/dial'],
  );
});

test('a scenario has servers or target, never both; target needs a call; extras need simulated servers', () => {
  const target = { addresses: ['tcp@127.0.0.1:9999'] };
  const call = { method: 'Foo.Sum', args: { Num1: 1, Num2: 2 } };
  const problems = (input: object) => {
    try {
      validateScenario({ name: 'x', ...input }, 'x.ts');
    } catch (error) {
      assert.ok(error instanceof ScenarioError);
      return error.message;
    }
    return assert.fail('accepted');
  };
  assert.match(
    problems({ servers: { count: 2 }, target, call }),
    /^x\.ts: target: a scenario has either servers/,
  );
  assert.match(problems({ target }), /^x\.ts: call: is required with target/);
  assert.match(
    problems({ target, call, httpBaseline: true }),
    /^x\.ts: httpBaseline: measures the simulated servers/,
  );
  assert.match(
    problems({ target: { addresses: ['tcp@nowhere'] }, call }),
    /target\.addresses\.0: .*missing port/,
  );
  assert.match(
    problems({ target: { addresses: target.addresses, registry: 'http://x:1/r' }, call }),
    /target: gives addresses and registry/,
  );
  assert.match(problems({ target, call: { method: 'Sum' } }), /call\.method: must be a Service\.Method name/);
  assert.match(
    problems({ target, call: { ...call, argsFile: 'a.jsonl' } }),
    /call\.argsFile: give args or argsFile, not both/,
  );
  assert.match(problems({ servers: { service: './kv.ts' } }), /call: is required with servers\.service/);
  const valid = validateScenario({ name: 'x', target, call }, 'x.ts');
  assert.deepEqual(valid.target?.addresses, target.addresses);
});
