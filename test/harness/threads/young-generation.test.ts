import assert from 'node:assert/strict';
import { once } from 'node:events';
import { test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { Worker } from 'node:worker_threads';
import { startTypeScriptWorker } from '../../../src/harness/threads/typescript-worker.ts';
import { createWorkerPool } from '../../../src/harness/threads/worker-pool.ts';
import { SEMI_SPACE_MB } from '../../../src/harness/threads/young-generation.ts';

const MIB = 1024 * 1024;
const WORKER = new URL('../../fixtures/new-space-worker.ts', import.meta.url);

async function posted(worker: Worker): Promise<number> {
  const [bytes] = (await once(worker, 'message')) as [number];
  await worker.terminate();
  return bytes / MIB;
}

/** A worker started with `new Worker`, as a user's own: its young generation, MiB. */
function plainWorkerMb(): Promise<number> {
  return posted(
    new Worker(
      "const v8 = require('node:v8'); require('node:worker_threads').parentPort.postMessage(" +
        "v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size)",
      { eval: true },
    ),
  );
}

/** Back to V8's default for threads started next, so that each starter is seen setting the flag itself. */
async function resetToDefault(): Promise<void> {
  setFlagsFromString('--min-semi-space-size=0');
  const plain = await plainWorkerMb();
  assert.ok(
    plain < SEMI_SPACE_MB / 2,
    `a plain worker starts with ${plain} MiB: the test would prove nothing`,
  );
}

test("rpcbench's threads start with the whole young generation, a plain worker does not", async () => {
  await resetToDefault();
  const single = await posted(startTypeScriptWorker(WORKER, { workerData: 'post' }));
  assert.ok(single >= SEMI_SPACE_MB, `startTypeScriptWorker: ${single} MiB, not ${SEMI_SPACE_MB}`);

  await resetToDefault();
  const pool = createWorkerPool(WORKER, 1);
  try {
    const pooled = ((await pool.run(undefined)) as number) / MIB;
    assert.ok(pooled >= SEMI_SPACE_MB, `createWorkerPool: ${pooled} MiB, not ${SEMI_SPACE_MB}`);
  } finally {
    await pool.destroy();
  }
});
