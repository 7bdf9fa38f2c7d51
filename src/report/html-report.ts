import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { RunResult } from '../result/result-schema.ts';
import { InvalidArgumentError } from '../util/errors.ts';
import { ChartRegistry, SERIES_COLOURS } from './chart-spec.ts';
import { runLetter } from './comparison/run-comparison.ts';
import { numberedPath } from './output-path.ts';
import { html, jsonScriptText, rawElementText, type SafeHtml } from './page/html.ts';
import { loadPageAssets } from './page/page-assets.ts';
import { renderAgents } from './sections/agents.ts';
import { renderBaseline } from './sections/baseline.ts';
import { renderComparison } from './sections/comparison.ts';
import { renderFigures } from './sections/figures.ts';
import { renderRunHeader } from './sections/header.ts';
import { renderLatency } from './sections/latency.ts';
import { renderMicro } from './sections/micro.ts';
import { renderProfiles } from './sections/profiles.ts';
import { renderReuse } from './sections/reuse.ts';
import { renderSearch } from './sections/search.ts';
import { renderShares } from './sections/shares.ts';
import { renderSummary } from './sections/summary.ts';
import { renderTimeline } from './sections/timeline.ts';

function renderRun(result: RunResult, runIndex: number, compared: boolean, charts: ChartRegistry): SafeHtml {
  return html`<section class="run" id="run-${runIndex}" data-run="${runIndex}">
  ${renderRunHeader(result, runIndex, compared ? runLetter(runIndex) : null)}
  ${renderSummary(result, runIndex)}
  ${renderSearch(result, runIndex, charts)}
  ${renderAgents(result, runIndex)}
  ${renderLatency(result, runIndex, charts)}
  ${renderShares(result, runIndex)}
  ${renderReuse(result, runIndex, charts)}
  ${renderMicro(result, runIndex)}
  ${renderTimeline(result, runIndex, charts)}
  ${renderBaseline(result, runIndex)}
  ${renderFigures(result, runIndex)}
  ${renderProfiles(result, runIndex)}
</section>`;
}

function pageTitle(results: readonly RunResult[]): string {
  if (results.length === 1) return `${results[0]!.scenario.name} · rpcbench report`;
  return `${results.map((r) => r.scenario.name).join(' vs ')} · rpcbench comparison`;
}

/**
 * The report of one or more runs as one self-contained HTML page: uPlot, its data and the styles
 * are inline, and the page makes no request of any kind. Several results make a comparison.
 * Histograms are decoded here, in Node; the page only draws the computed points.
 */
export function renderHtmlReport(results: RunResult[]): string {
  if (results.length === 0) throw new InvalidArgumentError('results must hold at least one run result');
  const assets = loadPageAssets();
  const charts = new ChartRegistry();
  const compared = results.length > 1;
  const comparison = compared ? renderComparison(results, charts) : html``;
  const runs = results.map((result, i) => renderRun(result, i, compared, charts));
  const scripts = [rawElementText(assets.uplotScript), rawElementText(assets.clientScript)];
  // Only these two scripts may run: an injected inline handler would be refused even if escaping failed.
  const scriptHashes = scripts.map(
    (script) => `'sha256-${createHash('sha256').update(script.toString()).digest('base64')}'`,
  );
  const policy = `default-src 'none'; script-src ${scriptHashes.join(' ')}; style-src 'unsafe-inline'; img-src data:`;
  const page = html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${policy}">
<title>${pageTitle(results)}</title>
<link rel="icon" href="data:,">
<style>${rawElementText(assets.uplotStyle)}</style>
<style>${rawElementText(assets.style)}</style>
</head>
<body>
<header class="page-header">
  <h1>rpcbench ${compared ? 'comparison' : 'report'}</h1>
  <nav>
    ${compared ? html`<a href="#comparison">Comparison</a>` : ''}
    ${results.map(
      (r, i) => html`<a href="#run-${i}">${compared ? `${runLetter(i)}: ` : ''}${r.scenario.name}</a>`,
    )}
  </nav>
</header>
<main>
${comparison}
${runs}
</main>
<script type="application/json" id="report-data">${jsonScriptText({ colours: SERIES_COLOURS, charts })}</script>
<script>${scripts[0]}</script>
<script>${scripts[1]}</script>
</body>
</html>
`;
  return page.toString();
}

/**
 * Writes the report of `results` as a new file at `htmlPath`, or at `-1`, `-2`, ... beside it when
 * that name is taken: two comparisons made at once never overwrite each other. Returns the path.
 */
export async function writeNewHtmlReport(results: RunResult[], htmlPath: string): Promise<string> {
  const page = renderHtmlReport(results);
  await mkdir(dirname(htmlPath), { recursive: true });
  for (let attempt = 0; ; attempt++) {
    const path = numberedPath(htmlPath, attempt);
    try {
      await writeFile(path, page, { encoding: 'utf8', flag: 'wx' });
      return path;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}

/** Writes the report of `results` to `htmlPath`, creating its folder if needed. */
export async function writeHtmlReport(results: RunResult[], htmlPath: string): Promise<void> {
  const page = renderHtmlReport(results);
  await mkdir(dirname(htmlPath), { recursive: true });
  await writeFile(htmlPath, page, 'utf8');
}
