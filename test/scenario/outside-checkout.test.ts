// A scenario and a service written outside this checkout import `rpcbench` and run with `npm run bench`.
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { readResult } from '../../src/result/result-file.ts';
import { runCli } from '../fixtures/run-cli.ts';

const SERVICE = `import type { CallContext } from 'rpcbench';
export default class Counter {
  Add(args: { Value: bigint | number }, _ctx: CallContext) { return Number(args.Value) + 1; }
}
`;

// gob-typed arguments: the typed values come from the file's own copy of the package (CommonJS
// here, no package.json beside it) and must still be encoded as typed.
const SCENARIO = `import { defineScenario, gob } from 'rpcbench';
export default defineScenario({
  name: 'outside',
  description: 'A scenario outside the checkout',
  servers: { count: 2, service: './counter-service.ts' },
  codec: 'gob',
  call: {
    method: 'Counter.Add',
    args: (i) => gob.typed(gob.struct('Args', { Value: gob.uint64 }), { Value: i }),
    check: (reply, args) => reply === (args as { value: { Value: number } }).value.Value + 1 || 'wrong sum',
  },
  load: { model: 'closed', concurrency: 4 },
  calls: 200,
  warmupMs: 0,
});
`;

test('a scenario file outside the checkout imports rpcbench, with its own service and gob-typed arguments', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'rpcbench-outside-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'counter-service.ts'), SERVICE);
  await writeFile(join(dir, 'scenario.ts'), SCENARIO);
  const out = join(dir, 'reports');
  const { code, stderr } = await runCli('bench.ts', [join(dir, 'scenario.ts'), '--out', out, '--quiet']);
  assert.equal(code, 0, stderr);
  const [file] = (await readdir(out)).filter((name) => name.endsWith('.json'));
  const result = await readResult(join(out, file!));
  const [phase] = result.phases;
  assert.equal(phase!.calls, 200);
  assert.equal(phase!.errors, 0, JSON.stringify(phase!.errorSamples));
  assert.deepEqual(
    phase!.servers.map((server) => server.serverCount),
    [100, 100],
  );
});
