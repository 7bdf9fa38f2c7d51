import type { PhaseResult, RunResult } from '../../result/result-schema.ts';
import { formatCount, formatPercent, formatStat } from '../../util/format.ts';
import { SERIES_COLOURS } from '../chart-spec.ts';
import { serverLabel } from '../figures/server-label.ts';
import { showsFairness } from '../figures/shown-figures.ts';
import { html, type SafeHtml } from '../page/html.ts';
import { renderPhaseTitle } from '../phase-label.ts';

/** Bars end short of the edge so that the largest share and its expected mark both fit. */
const SCALE_HEADROOM = 1.15;

function shareBars(result: RunResult, phase: PhaseResult): SafeHtml {
  const largest = Math.max(...phase.servers.flatMap((s) => [s.share, s.expectedShare]), 0.01);
  const scale = Math.min(1, largest * SCALE_HEADROOM);
  const toX = (fraction: number) => ((Math.min(fraction, scale) / scale) * 100).toFixed(2);
  return html`<div class="shares">
  ${phase.servers.map(
    (
      server,
      i,
    ) => html`<div class="share-row" data-server="${i}" data-share="${server.share}" data-expected="${server.expectedShare}">
    <div class="share-address"><span class="server-label">${serverLabel(result, i)}</span>
      <code>${server.address}</code><span class="muted"> weight ${server.weight}</span>
      ${server.errors > 0 ? html`<span class="server-errors" data-errors="${server.errors}">${formatCount(server.errors)} errors</span>` : ''}</div>
    <svg class="share-bar" viewBox="0 0 100 16" preserveAspectRatio="none" aria-hidden="true">
      <rect class="track" x="0" y="2" width="100" height="12"></rect>
      <rect class="bar" x="0" y="2" width="${toX(server.share)}" height="12" fill="${SERIES_COLOURS[0]}"></rect>
      <line class="expected" x1="${toX(server.expectedShare)}" x2="${toX(server.expectedShare)}" y1="0" y2="16"
        vector-effect="non-scaling-stroke"></line>
    </svg>
    <div class="share-value"><span class="share-actual">${formatPercent(server.share)}</span>
      <span class="muted">expected ${formatPercent(server.expectedShare)}</span></div>
  </div>`,
  )}
</div>`;
}

function fairnessStats(phase: PhaseResult): SafeHtml {
  if (phase.servers.length < 2) return html`<p class="muted">One server: no share to compare.</p>`;
  const fairness = phase.fairness;
  if (fairness === null || !showsFairness(phase))
    return html`<p class="muted">No fairness figures for this phase.</p>`;
  return html`<dl class="stats">
  <div data-stat="jain"><dt>Jain's index</dt><dd>${formatStat(fairness.jain)}</dd></div>
  <div data-stat="cv"><dt>CV</dt><dd>${formatStat(fairness.cv)}</dd></div>
  <div data-stat="maxMinRatio"><dt>max / min</dt><dd>${fairness.maxMinRatio === null ? '∞' : formatStat(fairness.maxMinRatio)}</dd></div>
  <div data-stat="pValue"><dt>χ² p-value</dt><dd>${formatStat(fairness.pValue)}</dd>
    <dd class="hint">χ² ${formatStat(fairness.chiSquare)}, ${fairness.degreesOfFreedom} d.f.</dd></div>
</dl>`;
}

/** External servers that joined or left the target's list during the phase, with when. */
function membershipList(phase: PhaseResult): SafeHtml {
  const changes = phase.membership ?? [];
  if (changes.length === 0) return html``;
  return html`<ul class="membership muted">
  ${changes.map(
    (change) =>
      html`<li data-change="${change.change}"><code>${change.address}</code> ${change.change} at ${(change.atMs / 1000).toFixed(1)} s</li>`,
  )}
</ul>`;
}

/** How the calls were spread over the servers, against the shares their weights call for. */
export function renderShares(result: RunResult, runIndex: number): SafeHtml {
  const phases = result.phases.flatMap((phase, i) => (phase.servers.length > 0 ? [{ phase, i }] : []));
  if (phases.length === 0) return html``;
  return html`<section class="block">
  <h3>Selection across servers</h3>
  <p class="muted">Bars: each server's share of the calls, as the servers counted them (or as the clients
    counted them, where a phase says "client-side counts only"); the dark mark is
    the share expected of it. Jain's index runs from 1/n (one server takes every call) to 1 (exactly as
    expected); CV is the spread of each count over its expected share; the χ² p-value tests the counts
    against the expected shares, which suits random pickers, not round robin.</p>
  ${phases.map(
    ({ phase, i }) => html`<div class="share-phase" data-run="${runIndex}" data-phase="${i}">
    <h4>${renderPhaseTitle(phase)}
      <span class="muted">${
        phase.countsFrom === 'clients'
          ? `${formatCount(phase.servers.reduce((sum, s) => sum + s.clientCount, 0))} calls, client-side counts only`
          : `${formatCount(phase.servers.reduce((sum, s) => sum + (s.serverCount ?? 0), 0))} calls`
      }</span></h4>
    <div class="share-layout">
      ${shareBars(result, phase)}
      ${fairnessStats(phase)}
    </div>
    ${membershipList(phase)}
  </div>`,
  )}
</section>`;
}
