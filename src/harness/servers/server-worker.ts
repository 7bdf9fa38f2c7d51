import { threadId } from 'node:worker_threads';
import { HarnessWorkerError } from '../errors.ts';
import { awaitBarrier } from '../threads/barrier.ts';
import { ServerThread, type ServerThreadOptions, type StartedServer } from './server-thread.ts';

/** The task a server-pool worker runs once: start its servers, then wait for its siblings. */
export interface StartServersTask extends ServerThreadOptions {
  /** Int32Array over a SharedArrayBuffer: slot 0 counts the threads that have started. */
  barrier: Int32Array;
  threadCount: number;
  barrierTimeoutMs: number;
}

export interface StartServersResult {
  threadId: number;
  controlAddress: string;
  servers: StartedServer[];
}

/** Module state: the servers outlive the task that started them, until `Harness.Stop`. */
let thread: ServerThread | undefined;

/**
 * Piscina task. It returns only once every thread of the pool has started its servers, so that no
 * worker can take two start tasks: each thread hosts its own share of the servers.
 */
export default async function startServers(task: StartServersTask): Promise<StartServersResult> {
  if (thread !== undefined && !thread.stopped) {
    throw new HarnessWorkerError(`server thread ${threadId} already hosts servers`);
  }
  const started = await ServerThread.start(task);
  thread = started;
  try {
    await awaitBarrier(task.barrier, task.threadCount, task.barrierTimeoutMs);
  } catch (error) {
    await started.stop();
    throw error;
  }
  return { threadId, controlAddress: started.controlAddress, servers: started.started };
}
