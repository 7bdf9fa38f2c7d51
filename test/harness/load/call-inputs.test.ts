import assert from 'node:assert/strict';
import { mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  MAX_ARGS_FILE_BYTES,
  MAX_ARGS_FILE_LINE_CHARS,
  prepareCallInputs,
} from '../../../src/harness/load/call-inputs.ts';

const random = () => 0.5;

test('an argsFile larger than the limit is refused before it is read', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'rpcbench-args-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'huge.jsonl');
  // 1 GiB of one endless line, sparse: nothing is written, and nothing may be read.
  await writeFile(path, '');
  await truncate(path, 1024 * 1024 * 1024);
  const heapBefore = process.memoryUsage().heapUsed;
  await assert.rejects(prepareCallInputs({ method: 'Foo.Sum', argsFile: path }, random), {
    code: 'ERR_ARGS',
    message: new RegExp(
      `huge\\.jsonl: 1073741824 bytes, more than the ${MAX_ARGS_FILE_BYTES} an argsFile may hold`,
    ),
  });
  assert.ok(process.memoryUsage().heapUsed - heapBefore < 16 * 1024 * 1024);
});

test('an argsFile line longer than the limit is refused, naming the line', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'rpcbench-args-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'long-line.jsonl');
  await writeFile(path, `{"Num1":1}\n"${'x'.repeat(MAX_ARGS_FILE_LINE_CHARS)}"\n`);
  await assert.rejects(prepareCallInputs({ method: 'Foo.Sum', argsFile: path }, random), {
    code: 'ERR_ARGS',
    message: new RegExp(
      `long-line\\.jsonl:2: a line of ${MAX_ARGS_FILE_LINE_CHARS + 2} characters, more than ${MAX_ARGS_FILE_LINE_CHARS}`,
    ),
  });
  await writeFile(path, '{"Num1":1}\n\n{"Num1":2}\n');
  const inputs = await prepareCallInputs({ method: 'Foo.Sum', argsFile: path }, random);
  assert.deepEqual(
    [inputs.argsAt!(0), inputs.argsAt!(1), inputs.argsAt!(2)],
    [{ Num1: 1 }, { Num1: 2 }, { Num1: 1 }],
  );
});
