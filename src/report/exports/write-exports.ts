import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { RunResult } from '../../result/result-schema.ts';
import { renderTimelineCsv } from './csv.ts';
import { renderJunitXml } from './junit.ts';
import { renderRunMarkdown } from './markdown.ts';

/** Files for other tools, each written only when its path is given. */
export interface ExportPaths {
  /** One row per timeline interval and phase. */
  csv?: string;
  /** One test case per threshold. */
  junit?: string;
  /** The Markdown summary. */
  markdown?: string;
  /** A CI step summary the Markdown is appended to (GitHub's $GITHUB_STEP_SUMMARY). */
  stepSummary?: string;
}

/** Writes the exports of the runs; returns the paths written, the step summary included. */
export async function writeExports(results: readonly RunResult[], paths: ExportPaths): Promise<string[]> {
  const written: string[] = [];
  const write = async (path: string | undefined, render: () => string) => {
    if (path === undefined || path === '') return;
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, render());
    written.push(path);
  };
  await write(paths.csv, () => renderTimelineCsv(results));
  await write(paths.junit, () => renderJunitXml(results));
  await write(paths.markdown, () => renderRunMarkdown(results));
  if (paths.stepSummary !== undefined && paths.stepSummary !== '') {
    // GitHub shows whatever every step appended: add to it, never replace it.
    await appendFile(paths.stepSummary, renderRunMarkdown(results));
    written.push(paths.stepSummary);
  }
  return written;
}
