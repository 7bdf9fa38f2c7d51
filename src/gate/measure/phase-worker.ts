// The thread one scenario phase is measured in: a fresh V8 isolate, so that no phase measured
// before it, and no scenario run, has shaped the compiled code or the heap it is measured with.
import { parentPort, workerData } from 'node:worker_threads';
import { isRpcError } from '../../util/errors.ts';
import { measurePhaseHere, type PhaseTask } from './measure-phase.ts';
import type { PhaseWorkerMessage } from './phase-messages.ts';

const port = parentPort!;
const post = (message: PhaseWorkerMessage): void => port.postMessage(message);
const task = workerData as PhaseTask;

try {
  post({ kind: 'done', samples: await measurePhaseHere(task.spec, task.options) });
} catch (error) {
  post({
    kind: 'failed',
    code: isRpcError(error) ? error.code : 'ERR_UNKNOWN',
    message: error instanceof Error ? error.message : String(error),
  });
}
