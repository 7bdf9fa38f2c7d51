import Module, { register } from 'node:module';
import { extname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isMainThread } from 'node:worker_threads';
import { RUNNING_COMPILED } from '../util/runnable-module.ts';

/** The package's entry point for each name a user file may import, beside this running copy. */
const ENTRY_EXTENSION = RUNNING_COMPILED ? '.js' : '.ts';
const PACKAGE_ENTRIES: Record<string, string> = {
  rpcbench: fileURLToPath(new URL(`../index${ENTRY_EXTENSION}`, import.meta.url)),
  'rpcbench/harness': fileURLToPath(new URL(`../entry/harness${ENTRY_EXTENSION}`, import.meta.url)),
  'rpcbench/report': fileURLToPath(new URL(`../entry/report${ENTRY_EXTENSION}`, import.meta.url)),
  'rpcbench/registry': fileURLToPath(new URL(`../entry/registry${ENTRY_EXTENSION}`, import.meta.url)),
};
const PACKAGE_ENTRY_URLS = Object.fromEntries(
  Object.entries(PACKAGE_ENTRIES).map(([name, path]) => [name, pathToFileURL(path).href]),
);
const TYPESCRIPT_EXTENSIONS = new Set(['.ts', '.mts', '.cts', '.tsx']);

/** ESM: `rpcbench` resolves to the copy that is running, through the hooks after this one. */
const hookSource = (entries: Record<string, string>) => `
const entries = ${JSON.stringify(entries)};
export async function resolve(specifier, context, next) {
  return next(Object.hasOwn(entries, specifier) ? entries[specifier] : specifier, context);
}`;

type ResolveFilename = (request: string, ...rest: unknown[]) => string;

let registered = false;
let typescript: Promise<void> | undefined;

/**
 * Imports a user's TypeScript or JavaScript module (a scenario file, a service) by absolute path,
 * in any thread. A `.js` or `.mjs` file needs no loader. tsx is registered only for a TypeScript
 * file, once per thread, and only where it is not active already: the main thread of a command
 * run from this repository's sources runs under tsx, its worker threads (whose ESM loader lacks
 * tsx's hooks on Node 20) and every thread of the compiled package do not.
 */
export async function importUserModule(path: string): Promise<{ default?: unknown }> {
  makeRpcbenchImportable();
  if (TYPESCRIPT_EXTENSIONS.has(extname(path)) && (RUNNING_COMPILED || !isMainThread)) {
    // Both of tsx's hooks, as `node --import tsx` registers them: a .ts file outside a
    // "type": "module" package is compiled to CommonJS, and its imports are require() calls.
    typescript ??= Promise.all([import('tsx/esm/api'), import('tsx/cjs/api')]).then(([esm, cjs]) => {
      esm.register();
      cjs.register();
    });
    await typescript;
  }
  return withCommonJsDefault((await import(pathToFileURL(path).href)) as { default?: unknown });
}

/**
 * A TypeScript file compiled to CommonJS (tsx, outside a "type": "module" package) and imported
 * once tsx was registered at run time arrives as `{ default: exports }`, its own default export
 * one level down, flagged the way esbuild and Babel flag compiled ES modules.
 */
function withCommonJsDefault(namespace: { default?: unknown }): { default?: unknown } {
  const exports = namespace.default as { __esModule?: unknown; default?: unknown } | null | undefined;
  if (typeof exports === 'object' && exports !== null && exports.__esModule === true) {
    return { default: exports.default };
  }
  return namespace;
}

/**
 * Lets a scenario or service file anywhere on disk `import { defineScenario } from 'rpcbench'`
 * and get the copy that is running (its classes are the ones the harness checks against), even
 * where no node_modules above the file holds the package. A .ts file outside a
 * `"type": "module"` package is compiled to CommonJS by tsx, whose require() does not pass
 * through module hooks, so both resolutions are taught the names. Called before such a file is
 * imported, in each thread that imports one; later calls in a thread do nothing.
 */
function makeRpcbenchImportable(): void {
  if (registered) return;
  registered = true;
  register(`data:text/javascript,${encodeURIComponent(hookSource(PACKAGE_ENTRY_URLS))}`);
  const internals = Module as unknown as { _resolveFilename: ResolveFilename };
  const resolveFilename = internals._resolveFilename;
  internals._resolveFilename = (request, ...rest) =>
    resolveFilename(Object.hasOwn(PACKAGE_ENTRIES, request) ? PACKAGE_ENTRIES[request]! : request, ...rest);
}
