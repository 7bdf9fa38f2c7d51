import { basename, dirname, extname, join } from 'node:path';

/**
 * Where a report goes when no --out is given: beside the one result, with .html for its extension;
 * for several results, `compare-<timestamp>.html` in the first one's folder (writeNewHtmlReport
 * then adds `-1`, `-2`, ... should a comparison of the same millisecond already be there).
 */
export function defaultReportPath(resultFiles: readonly string[], now: Date = new Date()): string {
  const first = resultFiles[0]!;
  if (resultFiles.length === 1) return join(dirname(first), `${basename(first, extname(first))}.html`);
  const stamp = now.toISOString().slice(0, 23).replace(/[:.]/g, '-');
  return join(dirname(first), `compare-${stamp}.html`);
}

/** `report.html`, then `report-1.html`, `report-2.html`, ...: the names tried for a new file. */
export function numberedPath(path: string, attempt: number): string {
  if (attempt === 0) return path;
  const extension = extname(path);
  return `${path.slice(0, path.length - extension.length)}-${attempt}${extension}`;
}
