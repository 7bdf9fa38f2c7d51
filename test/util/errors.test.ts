import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { ConnectionClosedError } from '../../src/rpc/errors.ts';
import { ERROR_CODES, isErrorCode, isRpcError, RpcError } from '../../src/util/errors.ts';

test("the project's errors match by class and by code; Node's own never pass", () => {
  const closed = new ConnectionClosedError('peer left');
  assert.ok(closed instanceof RpcError);
  assert.ok(isRpcError(closed, 'ERR_CONN_CLOSED'));
  assert.ok(!isRpcError(closed, 'ERR_REMOTE'));
  let nodeError: unknown;
  try {
    Buffer.alloc('x' as never);
  } catch (error) {
    nodeError = error;
  }
  assert.equal((nodeError as { code?: string }).code, 'ERR_INVALID_ARG_TYPE');
  assert.ok(!isRpcError(nodeError));
  assert.ok(!isRpcError({ code: 'ERR_SOMETHING_ELSE', message: 'x' }));
  assert.ok(!isErrorCode('ERR_INVALID_ARG_TYPE'));
  assert.equal(new Set(ERROR_CODES).size, ERROR_CODES.length, 'each code once');
  // @ts-expect-error a misspelt code does not compile
  isRpcError(closed, 'ERR_CONN_CLOSD');
});

test('an error that crossed a worker thread as a plain object still matches by its code', async () => {
  const worker = new Worker(
    "require('node:worker_threads').parentPort.postMessage({ code: 'ERR_CALL_TIMEOUT', message: 'late' });",
    { eval: true },
  );
  const [received] = (await new Promise((resolve) => worker.once('message', (m) => resolve([m])))) as [
    unknown,
  ];
  await worker.terminate();
  assert.ok(!(received instanceof RpcError));
  assert.ok(isRpcError(received, 'ERR_CALL_TIMEOUT'));
});
