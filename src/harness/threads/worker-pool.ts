import { Piscina } from 'piscina';
import { loaderArgsFor, runnableModule } from '../../util/runnable-module.ts';
import { enlargeYoungGeneration } from './young-generation.ts';

/**
 * A Piscina pool of exactly `threads` long-lived threads running `workerUrl`: threads never
 * retire while idle (they may hold servers), and there is no queue limit. Their young generation
 * is started whole (young-generation.ts).
 */
export function createWorkerPool(workerUrl: URL, threads: number): Piscina {
  const entry = runnableModule(workerUrl);
  enlargeYoungGeneration();
  return new Piscina({
    filename: entry.href,
    name: 'default',
    minThreads: threads,
    maxThreads: threads,
    idleTimeout: Number.POSITIVE_INFINITY,
    concurrentTasksPerWorker: 1,
    // 'sync' parks an idle worker in Atomics.wait, which blocks its event loop: its servers would stop answering.
    atomics: 'disabled',
    // TypeScript workers on Node 20: each thread loads tsx itself; compiled ones need no loader.
    execArgv: loaderArgsFor(entry),
  });
}
