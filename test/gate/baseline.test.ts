import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  GATE_BASELINE_FILE,
  GATE_BASELINE_KIND,
  GATE_BASELINE_SCHEMA_VERSION,
  gateBaselineSchema,
  readBaseline,
  writeBaseline,
} from '../../src/gate/baseline.ts';
import { REFERENCE_VERSION } from '../../src/gate/measure/reference.ts';
import { loadGateScenarios } from '../../src/gate/suite.ts';
import { type CliExit, runCli } from '../fixtures/run-cli.ts';

const ROOT = new URL('../..', import.meta.url).pathname;
const TINY = 'test/fixtures/gate-scenarios/tiny.ts';
const LIMITS = { cost: 0.1, throughput: 0.25 };

/** Liveness only: a gate run measures for tens of seconds on a loaded machine. */
const GATE_TIMEOUT_MS = 600_000;

function runGate(args: string[], env: Record<string, string> = {}): Promise<CliExit> {
  return runCli('gate.ts', args, { env, timeoutMs: GATE_TIMEOUT_MS });
}

let dir: string;
let fingerprint: string;

/** One machine's figures that fit the tiny scenario. */
function fittingMachine(cpuModel = 'test', createdAt = '2026-01-01T00:00:00.000Z', cost = [1, 1.01, 0.99]) {
  return {
    createdAt,
    environment: {
      node: 'v20.0.0',
      platform: 'linux',
      arch: 'x64',
      cpuModel,
      cores: 2,
      totalMemoryBytes: 1,
      gitCommit: null,
    },
    settings: { pairs: 3, windowMs: 20 },
    scenarios: [
      {
        name: 'gate-tiny',
        file: TINY,
        fingerprint,
        phases: [
          {
            phase: 'roundrobin',
            cost,
            throughput: [1, 1.01, 0.99],
            raw: {
              rpcCallsPerSecond: 1,
              rpcCpuUsPerCall: 1,
              referenceCallsPerSecond: 1,
              referenceCpuUsPerCall: 1,
            },
          },
        ],
      },
    ],
  };
}

/** A baseline that fits the tiny scenario, before a test spoils one field of it. */
function fittingBaseline() {
  return {
    kind: GATE_BASELINE_KIND,
    schemaVersion: GATE_BASELINE_SCHEMA_VERSION,
    reference: REFERENCE_VERSION,
    machines: [fittingMachine()],
  };
}

function expectation(cpuModel: string) {
  return {
    reference: REFERENCE_VERSION,
    scenarios: [{ name: 'gate-tiny', fingerprint }],
    cpuModel,
    rewriteCommand: 'npm run bench:baseline',
  };
}

async function baselineDir(name: string, content: unknown): Promise<string> {
  const target = join(dir, name);
  await rm(target, { recursive: true, force: true });
  await mkdir(target, { recursive: true });
  await writeFile(
    join(target, GATE_BASELINE_FILE),
    typeof content === 'string' ? content : JSON.stringify(content),
  );
  return target;
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rpcbench-gate-baseline-'));
  const [tiny] = await loadGateScenarios([join(ROOT, TINY)], LIMITS);
  fingerprint = tiny!.fingerprint;
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('a baseline written when the measuring unit was named sliceMs still reads, as windowMs', () => {
  const machine = { ...fittingMachine(), settings: { pairs: 3, sliceMs: 20 } };
  const read = gateBaselineSchema.parse({ ...fittingBaseline(), machines: [machine] });
  assert.deepEqual(read.machines[0]!.settings, { pairs: 3, windowMs: 20 });
});

test('a version 1 baseline, one machine at the top level, reads as that machine', async () => {
  const { kind, reference } = fittingBaseline();
  const target = await baselineDir('version-1', {
    kind,
    schemaVersion: 1,
    reference,
    ...fittingMachine('old'),
  });
  const { baseline, notice } = await readBaseline(target, expectation('old'));
  assert.equal(baseline.environment.cpuModel, 'old');
  assert.equal(notice, undefined);
});

test("the figures of this machine's CPU model are compared with; others are kept when a baseline is written", async () => {
  const target = join(dir, 'machines');
  await rm(target, { recursive: true, force: true });
  await writeBaseline(
    target,
    REFERENCE_VERSION,
    fittingMachine('cpu-a', '2026-01-01T00:00:00.000Z', [1, 1, 1]),
  );
  const second = await writeBaseline(
    target,
    REFERENCE_VERSION,
    fittingMachine('cpu-b', '2026-01-02T00:00:00.000Z', [2, 2, 2]),
  );
  assert.deepEqual(second.kept, ['cpu-a']);
  // Measured again on cpu-a: its figures are replaced, cpu-b's kept.
  await writeBaseline(
    target,
    REFERENCE_VERSION,
    fittingMachine('cpu-a', '2026-01-03T00:00:00.000Z', [3, 3, 3]),
  );
  const ofA = await readBaseline(target, expectation('cpu-a'));
  assert.deepEqual(ofA.baseline.scenarios[0]!.phases[0]!.cost, [3, 3, 3]);
  assert.equal(ofA.notice, undefined);
  const ofB = await readBaseline(target, expectation('cpu-b'));
  assert.deepEqual(ofB.baseline.scenarios[0]!.phases[0]!.cost, [2, 2, 2]);
  // A CPU model without figures of its own gets the newest, and a notice naming both models.
  const other = await readBaseline(target, expectation('cpu-c'));
  assert.deepEqual(other.baseline.scenarios[0]!.phases[0]!.cost, [3, 3, 3]);
  assert.match(other.notice ?? '', /no figures measured on "cpu-c"; compared with those of "cpu-a"/);
});

test('writing a baseline drops the figures of other machines whose scenario set-ups changed', async () => {
  const target = join(dir, 'stale-machines');
  await rm(target, { recursive: true, force: true });
  const stale = fittingMachine('cpu-a');
  stale.scenarios[0]!.fingerprint = '0000000000000000';
  await writeBaseline(target, REFERENCE_VERSION, stale);
  const written = await writeBaseline(target, REFERENCE_VERSION, fittingMachine('cpu-b'));
  assert.deepEqual(written.kept, []);
  const file = gateBaselineSchema.parse(JSON.parse(await readFile(written.path, 'utf8')));
  assert.deepEqual(
    file.machines.map((machine) => machine.environment.cpuModel),
    ['cpu-b'],
  );
});

test('a missing baseline exits 2 and says how to write one', async () => {
  const exit = await runGate([TINY, '--baseline', join(dir, 'nowhere')]);
  assert.equal(exit.code, 2);
  assert.match(exit.stderr, /no baseline at .*gate-baseline\.json/);
  assert.match(exit.stderr, /--write-baseline/);
});

test('a baseline of another schema version exits 2', async () => {
  const target = await baselineDir('schema', {
    ...fittingBaseline(),
    schemaVersion: GATE_BASELINE_SCHEMA_VERSION + 1,
  });
  const exit = await runGate([TINY, '--baseline', target]);
  assert.equal(exit.code, 2);
  assert.match(exit.stderr, /schema version/);
});

test('a baseline measured against another reference exits 2', async () => {
  const target = await baselineDir('reference', { ...fittingBaseline(), reference: 'another-reference' });
  const exit = await runGate([TINY, '--baseline', target]);
  assert.equal(exit.code, 2);
  assert.match(exit.stderr, /reference "another-reference"/);
});

test('a baseline of another scenario set exits 2, naming the difference', async () => {
  const other = fittingBaseline();
  other.machines[0]!.scenarios[0]!.name = 'someone-else';
  const target = await baselineDir('scenarios', other);
  const exit = await runGate([TINY, '--baseline', target]);
  assert.equal(exit.code, 2);
  assert.match(
    exit.stderr,
    /another set of scenarios \(not in the baseline: gate-tiny; only in the baseline: someone-else\)/,
  );
});

test('a scenario whose set-up changed since the baseline exits 2', async () => {
  const stale = fittingBaseline();
  stale.machines[0]!.scenarios[0]!.fingerprint = '0000000000000000';
  const target = await baselineDir('fingerprint', stale);
  const exit = await runGate([TINY, '--baseline', target]);
  assert.equal(exit.code, 2);
  assert.match(exit.stderr, /set-up of gate-tiny changed/);
});

test('a baseline that is not JSON, or not a baseline, exits 2', async () => {
  const garbled = await baselineDir('garbled', '{ not json');
  assert.equal((await runGate([TINY, '--baseline', garbled])).code, 2);
  const foreign = await baselineDir('foreign', { kind: 'rpcbench-result' });
  const exit = await runGate([TINY, '--baseline', foreign]);
  assert.equal(exit.code, 2);
  assert.match(exit.stderr, /not a gate baseline/);
});

test('an invalid gate export in a scenario exits 2 naming the field', async () => {
  const exit = await runGate([
    'test/fixtures/gate-scenarios/bad-gate-export.ts',
    '--baseline',
    join(dir, 'nowhere'),
  ]);
  assert.equal(exit.code, 2);
  assert.match(exit.stderr, /gate\.maxSlowdown/);
});

test('a broken scenario threshold fails the gate with exit 1', async () => {
  const exit = await runGate([
    'test/fixtures/gate-scenarios/broken-threshold.ts',
    '--write-baseline',
    '--baseline',
    join(dir, 'broken'),
  ]);
  assert.equal(exit.code, 1);
  assert.match(exit.stdout, /rps > 1000000000 .* FAIL/);
  assert.match(exit.stdout, /No baseline written/);
});
