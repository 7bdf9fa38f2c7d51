import { Worker, type WorkerOptions } from 'node:worker_threads';
import { runnableModule } from '../../util/runnable-module.ts';
import { enlargeYoungGeneration } from './young-generation.ts';

/**
 * Starts a worker thread on a module named by its source URL: compiled, the `.js` file starts as
 * is. From TypeScript sources: Node 20 cannot run TypeScript by itself, and on Node 20.20 with
 * tsx 4 a plain worker given `execArgv: ['--import', 'tsx']` still fails with
 * ERR_UNKNOWN_FILE_EXTENSION on its .ts entry, so the worker starts from a line of JavaScript
 * that registers tsx, then imports the real entry. (Piscina's pool, which imports its entry
 * itself, works with the execArgv form: see worker-pool.ts.) Its young generation is started
 * whole (young-generation.ts).
 */
export function startTypeScriptWorker(source: URL, options: Omit<WorkerOptions, 'eval'> = {}): Worker {
  const entry = runnableModule(source);
  enlargeYoungGeneration();
  if (!entry.pathname.endsWith('.ts')) return new Worker(entry, options);
  const bootstrap = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))})
  .then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); })`;
  return new Worker(bootstrap, { ...options, eval: true });
}
