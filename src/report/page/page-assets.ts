import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/**
 * The files the page carries inline, read from disk once: uPlot from node_modules, and the
 * report's own script and styles that live beside this module.
 */
export interface PageAssets {
  uplotScript: string;
  uplotStyle: string;
  clientScript: string;
  style: string;
}

let cached: PageAssets | null = null;

export function loadPageAssets(): PageAssets {
  if (cached !== null) return cached;
  const require = createRequire(import.meta.url);
  const read = (path: string | URL) => readFileSync(path, 'utf8');
  cached = {
    uplotScript: read(require.resolve('uplot/dist/uPlot.iife.min.js')),
    uplotStyle: read(require.resolve('uplot/dist/uPlot.min.css')),
    clientScript: read(new URL('./page-client.js', import.meta.url)),
    style: read(new URL('./page-style.css', import.meta.url)),
  };
  return cached;
}
