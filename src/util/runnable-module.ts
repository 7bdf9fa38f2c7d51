/**
 * Whether this code runs compiled (dist/*.js, the installed package) or as TypeScript sources
 * through tsx (inside this repository). Decided by this module's own file name.
 */
export const RUNNING_COMPILED: boolean = import.meta.url.endsWith('.js');

/**
 * A module's runnable file from its source URL: modules name the threads and processes they start
 * by their `.ts` source (`new URL('./load-worker.ts', import.meta.url)`); compiled, the file beside
 * is the `.js` one tsc emitted.
 */
export function runnableModule(sourceUrl: URL): URL {
  return RUNNING_COMPILED ? new URL(sourceUrl.href.replace(/\.ts$/, '.js')) : sourceUrl;
}

/** The node flags a new thread or process needs to run `entry`: tsx for TypeScript only. */
export function loaderArgsFor(entry: URL): string[] {
  return entry.pathname.endsWith('.ts') ? ['--import', import.meta.resolve('tsx')] : [];
}
