import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ScenarioError } from '../../src/scenario/errors.ts';
import { loadScenario } from '../../src/scenario/scenario-loader.ts';

test("a scenario with a syntax error names the file, line and column, and the parser's reason", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'rpcbench-syntax-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'broken.ts');
  await writeFile(file, "export default {\n  name: 'x',,\n};\n");
  const error: unknown = await loadScenario(file).then(
    () => assert.fail('a file that does not parse was loaded'),
    (failure: unknown) => failure,
  );
  assert.ok(error instanceof ScenarioError, String(error));
  assert.match(
    error.message,
    /broken\.ts: cannot be loaded: syntax error at .*broken\.ts:2:12: Expected identifier but found ","$/,
  );
});
