import Module, { createRequire, register } from 'node:module';
import { pathToFileURL } from 'node:url';
import { isMainThread } from 'node:worker_threads';

/** ESM: `rpcbench` resolves to this checkout's entry point, through the hooks after this one (tsx's). */
const hookSource = (indexUrl: string) => `
export async function resolve(specifier, context, next) {
  return next(specifier === 'rpcbench' ? ${JSON.stringify(indexUrl)} : specifier, context);
}`;

type ResolveFilename = (request: string, ...rest: unknown[]) => string;

let registered = false;
let typescriptInWorker: Promise<void> | undefined;

/**
 * Imports a user's TypeScript or JavaScript module (a scenario file, a service) by absolute path,
 * in any thread. The main thread runs under tsx already; in a worker thread (Piscina's load and
 * server threads), whose ESM loader lacks tsx's hooks on Node 20, tsx is registered first.
 */
export async function importUserModule(path: string): Promise<{ default?: unknown }> {
  makeRpcbenchImportable();
  if (!isMainThread) {
    typescriptInWorker ??= import('tsx/esm/api').then((tsx) => {
      tsx.register();
    });
    await typescriptInWorker;
  }
  return (await import(pathToFileURL(path).href)) as { default?: unknown };
}

/**
 * Lets a scenario or service file anywhere on disk `import { defineScenario } from 'rpcbench'`:
 * outside this checkout no node_modules above the file holds the package. A .ts file outside a
 * `"type": "module"` package is compiled to CommonJS by tsx, whose require() does not pass
 * through module hooks, so both resolutions are taught the name. Called before such a file is
 * imported, in each thread that imports one; later calls in a thread do nothing.
 */
function makeRpcbenchImportable(): void {
  if (registered) return;
  registered = true;
  // The package's own entry point, by its name: this checkout resolves it through package.json's
  // exports. By require, as worker threads load this module as CommonJS, without import.meta.resolve.
  const indexPath = createRequire(import.meta.url).resolve('rpcbench');
  const indexUrl = pathToFileURL(indexPath).href;
  register(`data:text/javascript,${encodeURIComponent(hookSource(indexUrl))}`);
  const internals = Module as unknown as { _resolveFilename: ResolveFilename };
  const resolveFilename = internals._resolveFilename;
  internals._resolveFilename = (request, ...rest) =>
    resolveFilename(request === 'rpcbench' ? indexPath : request, ...rest);
}
