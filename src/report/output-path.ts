import { basename, dirname, extname, join } from 'node:path';

/**
 * Where a report goes when no --out is given: beside the one result, with .html for its extension;
 * for several results, `compare-<timestamp>.html` in the first one's folder.
 */
export function defaultReportPath(resultFiles: readonly string[], now: Date = new Date()): string {
  const first = resultFiles[0]!;
  if (resultFiles.length === 1) return join(dirname(first), `${basename(first, extname(first))}.html`);
  const stamp = now.toISOString().slice(0, 19).replace(/:/g, '-');
  return join(dirname(first), `compare-${stamp}.html`);
}
