import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type CliExit, runCli } from '../fixtures/run-cli.ts';

/** A scenario whose servers run the user's `Kv.Get`, its work per call set by GATE_KV_WORK. */
const KV_SCENARIO = 'test/fixtures/gate-service/kv-scenario.ts';
const WORK = 20_000;
/** Short measurements: a 4x costlier handler stands far out of the noise even so. */
const SHORT = ['--pairs', '15', '--window-ms', '50', '--runs', '1'];
/** Liveness only: a gate run measures for tens of seconds on a loaded machine. */
const GATE_TIMEOUT_MS = 600_000;

let dir: string;

function gate(args: string[], work: number): Promise<CliExit> {
  return runCli('gate.ts', [KV_SCENARIO, '--baseline', dir, ...SHORT, ...args], {
    env: { GATE_KV_WORK: String(work) },
    timeoutMs: GATE_TIMEOUT_MS,
  });
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rpcbench-gate-kv-'));
  const written = await gate(['--write-baseline', '--rounds', '2'], WORK);
  assert.equal(written.code, 0, written.stdout + written.stderr);
  assert.match(written.stdout, /Baseline for ".+" written to/);
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test("a handler doing four times the work fails the gate, naming the scenario's phase", async () => {
  const exit = await gate(['--rounds', '1'], 4 * WORK);
  assert.equal(exit.code, 1, exit.stdout + exit.stderr);
  assert.match(exit.stdout, /gate-kv › roundrobin › CPU per call ÷ reference .*REGRESSION/);
});

test('the same handler passes', async () => {
  // 30 % rather than the default 10 %: against a baseline written seconds earlier with these short
  // rounds, CPU per call of the same handler drifted by up to +16 % (the upper end of its interval)
  // with the machine's load, and at a 20 % limit one run in ten failed; four times the work is
  // still far beyond it. Throughput ÷ reference moves with the load more than CPU does.
  const exit = await gate(
    ['--rounds', '2', '--max-slowdown', '0.3', '--max-throughput-slowdown', '0.4'],
    WORK,
  );
  assert.equal(exit.code, 0, exit.stdout + exit.stderr);
  assert.match(exit.stdout, /gate-kv › roundrobin › CPU per call ÷ reference .* ok/);
});
