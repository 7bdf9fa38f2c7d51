import { Piscina } from 'piscina';

/** TypeScript workers on Node 20: each thread loads tsx itself. */
const WORKER_EXEC_ARGV = ['--import', 'tsx'];

/**
 * A Piscina pool of exactly `threads` long-lived threads running `workerUrl`: threads never
 * retire while idle (they may hold servers), and there is no queue limit.
 */
export function createWorkerPool(workerUrl: URL, threads: number): Piscina {
  return new Piscina({
    filename: workerUrl.href,
    name: 'default',
    minThreads: threads,
    maxThreads: threads,
    idleTimeout: Number.POSITIVE_INFINITY,
    concurrentTasksPerWorker: 1,
    // 'sync' parks an idle worker in Atomics.wait, which blocks its event loop: its servers would stop answering.
    atomics: 'disabled',
    execArgv: WORKER_EXEC_ARGV,
  });
}
