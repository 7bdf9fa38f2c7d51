// An unsure duet verdict (interval straddling its limit) is measured again, a bounded number of times.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type DuetDecision, runDuet } from '../../../src/gate/duet/run-duet.ts';
import { parseDuetTarget } from '../../../src/gate/duet/target-source.ts';
import { Bench } from '../../../src/rpc/server/builtin-services.ts';
import { Server } from '../../../src/rpc/server/server.ts';

const PAIRS = 8;
let dir: string;
let scenario: string;
let baseline: string;
const servers: Server[] = [];

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rpcbench-duet-remeasure-'));
  const addresses: string[] = [];
  for (let i = 0; i < 2; i++) {
    const server = new Server({ log: () => {} }).register(new Bench());
    servers.push(server);
    addresses.push(await server.listen('tcp@127.0.0.1:0'));
  }
  baseline = addresses[0]!;
  scenario = join(dir, 'echo.ts');
  await writeFile(
    scenario,
    `export default {
  name: 'duet-echo',
  target: { addresses: ['${addresses[1]}'] },
  codec: 'json',
  call: { method: 'Bench.Echo', args: 'x' },
  load: { model: 'closed', concurrency: 2 },
};
`,
  );
});

after(async () => {
  await Promise.all(servers.map((server) => server.destroy()));
  await rm(dir, { recursive: true, force: true });
});

function duet(limit: number, remeasure: number): Promise<DuetDecision> {
  return runDuet({
    file: scenario,
    baseline: parseDuetTarget(baseline),
    maxSlowdown: limit,
    maxThroughputSlowdown: limit,
    pairs: PAIRS,
    windowMs: 20,
    warmupPairs: 1,
    remeasure,
  }) as Promise<DuetDecision>;
}

function batches(decision: DuetDecision): number {
  const phases = decision.jsonExtra?.phases as { batches: number }[];
  return phases[0]!.batches;
}

test('a limit of 0.01 % leaves two equal builds unsure: measured again while unsure, as many times as allowed and no more', {
  timeout: 120_000,
}, async () => {
  const decision = await duet(0.0001, 2);
  const measured = batches(decision);
  const unsureLeft = decision.metrics.filter((row) => row.comparison.verdict === 'unsure');
  // Almost always every batch allowed; on a busy machine a metric can come out sure earlier (one
  // side's windows all slower), and then the duet must stop measuring as soon as none is unsure.
  assert.ok(measured >= 1 && measured <= 3, `${measured} batches`);
  if (measured < 3) assert.deepEqual(unsureLeft, [], 'stopped early only when nothing was unsure');
  for (const row of decision.metrics) {
    assert.equal(row.ratios.length, measured * PAIRS, `${row.metric}: every batch's pairs pooled`);
  }
  if (measured > 1) {
    assert.ok(
      decision.notes.some(
        (note) => note === `roundrobin: measured in ${measured} batches (unsure after the first).`,
      ),
    );
  }
  assert.equal(batches(await duet(0.0001, 0)), 1, '--remeasure 0 measures once');
});

test('a clear verdict is not measured again', { timeout: 60_000 }, async () => {
  const decision = await duet(10, 2);
  assert.equal(batches(decision), 1);
  assert.equal(decision.verdict, 'pass');
  assert.ok(decision.metrics.every((row) => row.ratios.length === PAIRS));
});
