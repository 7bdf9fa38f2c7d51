import { phaseCounts } from '../../result/phase-counts.ts';
import type { PhaseResult, RunResult } from '../../result/result-schema.ts';
import {
  formatCount,
  formatDurationMs,
  formatLatencyUs,
  formatPercent,
  formatRate,
} from '../../util/format.ts';
import { NO_FIGURE } from '../figures/shown-figures.ts';
import { html, type SafeHtml } from '../page/html.ts';
import { renderPhaseTitle } from '../phase-label.ts';

function card(
  metric: string,
  label: string,
  value: number | null,
  shown: string,
  note: SafeHtml | string,
): SafeHtml {
  return html`<div class="card" data-metric="${metric}"${value === null ? '' : html` data-value="${value}"`}>
    <div class="card-label">${label}</div>
    <div class="card-value">${shown}</div>
    <div class="card-note">${note}</div>
  </div>`;
}

function errorNote(phase: PhaseResult): SafeHtml | string {
  const counts = phaseCounts(phase);
  if (counts.failed === 0) return 'none';
  const made = counts.offered - counts.dropped;
  const rate = made > 0 ? counts.failed / made : 0;
  const codes = Object.entries(counts.failedByCode).sort((a, b) => b[1] - a[1]);
  return html`${formatPercent(rate, 2)} of calls made${codes.length > 0 ? ': ' : ''}${codes.map(
    ([code, count], i) => html`${i > 0 ? ', ' : ''}<code>${code}</code> ${formatCount(count)}`,
  )}`;
}

/** A figure an older result does not hold: `–`, and no value for tests and scripts to read. */
function optional(value: number | undefined, format: (value: number) => string): [number | null, string] {
  return value === undefined ? [null, NO_FIGURE] : [value, format(value)];
}

/** Offered and achieved rate, ok, failed and dropped calls: the achieved rate is the headline. */
function countCards(phase: PhaseResult): SafeHtml {
  const counts = phaseCounts(phase);
  const [offered, offeredShown] = optional(phase.offeredPerSecond, formatRate);
  const [ok, okShown] = optional(phase.ok, formatCount);
  const [dropped, droppedShown] = optional(phase.dropped, formatCount);
  return html`${card(
    'callsPerSecond',
    'achieved calls/s',
    phase.callsPerSecond,
    formatRate(phase.callsPerSecond),
    `completed, ok or failed, in ${formatDurationMs(phase.durationMs)}`,
  )}
    ${card('offeredPerSecond', 'offered calls/s', offered, offeredShown, `${formatCount(phase.calls)} calls offered`)}
    ${card('ok', 'ok', ok, okShown, 'calls that succeeded')}
    ${card('errors', 'errors', counts.failed, formatCount(counts.failed), errorNote(phase))}
    ${card('dropped', 'dropped', dropped, droppedShown, 'due while too many were in flight, never sent')}`;
}

/** Latency of the calls that failed with a reply (a remote error, a refused check). */
function failedLatencyCard(phase: PhaseResult): SafeHtml {
  const failed = phase.failedLatency;
  if (failed === undefined)
    return card('failedP99Us', 'failed-call p99', null, NO_FIGURE, 'not in results of this version');
  const s = failed.summary;
  if (s.count === 0)
    return card('failedP99Us', 'failed-call p99', null, NO_FIGURE, 'no failed call had a reply');
  return card(
    'failedP99Us',
    'failed-call p99',
    s.p99Us,
    formatLatencyUs(s.p99Us),
    `p50 ${formatLatencyUs(s.p50Us)} of ${formatCount(s.count)} replied errors`,
  );
}

function phaseCards(phase: PhaseResult, runIndex: number, phaseIndex: number): SafeHtml {
  const s = phase.latency.summary;
  const empty = s.count === 0;
  const latency = (us: number) => (empty ? NO_FIGURE : formatLatencyUs(us));
  const value = (us: number) => (empty ? null : us);
  return html`<div class="phase-cards" data-run="${runIndex}" data-phase="${phaseIndex}">
  <h4>${renderPhaseTitle(phase)}</h4>
  <div class="cards">
    ${countCards(phase)}
    ${card('p50Us', 'p50', value(s.p50Us), latency(s.p50Us), `mean ${latency(s.meanUs)}, ok calls`)}
    ${card('p99Us', 'p99', value(s.p99Us), latency(s.p99Us), `p90 ${latency(s.p90Us)}`)}
    ${card('p999Us', 'p99.9', value(s.p999Us), latency(s.p999Us), `max ${latency(s.maxUs)}`)}
    ${failedLatencyCard(phase)}
  </div>
</div>`;
}

/** One row of cards per phase: achieved and offered rate, ok, errors, dropped, latency of ok and of failed calls. */
export function renderSummary(result: RunResult, runIndex: number): SafeHtml {
  if (result.phases.length === 0) {
    return html`<section class="block"><h3>Summary</h3><p class="muted">No load phase ran.</p></section>`;
  }
  return html`<section class="block">
  <h3>Summary</h3>
  ${result.phases.map((phase, i) => phaseCards(phase, runIndex, i))}
</section>`;
}
