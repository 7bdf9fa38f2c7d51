import type { PhaseResult, RunResult } from '../../result/result-schema.ts';
import {
  formatCount,
  formatDurationMs,
  formatLatencyUs,
  formatPercent,
  formatRate,
} from '../../util/format.ts';
import { html, type SafeHtml } from '../page/html.ts';
import { renderPhaseTitle } from '../phase-label.ts';

function card(
  metric: string,
  label: string,
  value: number,
  shown: string,
  note: SafeHtml | string,
): SafeHtml {
  return html`<div class="card" data-metric="${metric}" data-value="${value}">
    <div class="card-label">${label}</div>
    <div class="card-value">${shown}</div>
    <div class="card-note">${note}</div>
  </div>`;
}

function errorNote(phase: PhaseResult): SafeHtml | string {
  if (phase.errors === 0) return 'none';
  const rate = phase.calls > 0 ? phase.errors / phase.calls : 0;
  const codes = Object.entries(phase.errorsByCode).sort((a, b) => b[1] - a[1]);
  return html`${formatPercent(rate, 2)} of calls${codes.length > 0 ? ': ' : ''}${codes.map(
    ([code, count], i) => html`${i > 0 ? ', ' : ''}<code>${code}</code> ${formatCount(count)}`,
  )}`;
}

function phaseCards(phase: PhaseResult, runIndex: number, phaseIndex: number): SafeHtml {
  const s = phase.latency.summary;
  const empty = s.count === 0;
  const latency = (us: number) => (empty ? '—' : formatLatencyUs(us));
  return html`<div class="phase-cards" data-run="${runIndex}" data-phase="${phaseIndex}">
  <h4>${renderPhaseTitle(phase)}</h4>
  <div class="cards">
    ${card(
      'callsPerSecond',
      'calls/s',
      phase.callsPerSecond,
      formatRate(phase.callsPerSecond),
      `${formatCount(phase.calls)} calls in ${formatDurationMs(phase.durationMs)}`,
    )}
    ${card('p50Us', 'p50', s.p50Us, latency(s.p50Us), `mean ${latency(s.meanUs)}`)}
    ${card('p99Us', 'p99', s.p99Us, latency(s.p99Us), `p90 ${latency(s.p90Us)}`)}
    ${card('p999Us', 'p99.9', s.p999Us, latency(s.p999Us), `max ${latency(s.maxUs)}`)}
    ${card('errors', 'errors', phase.errors, formatCount(phase.errors), errorNote(phase))}
  </div>
</div>`;
}

/** One row of cards per phase: throughput, median and tail latency, errors. */
export function renderSummary(result: RunResult, runIndex: number): SafeHtml {
  if (result.phases.length === 0) {
    return html`<section class="block"><h3>Summary</h3><p class="muted">No load phase ran.</p></section>`;
  }
  return html`<section class="block">
  <h3>Summary</h3>
  ${result.phases.map((phase, i) => phaseCards(phase, runIndex, i))}
</section>`;
}
