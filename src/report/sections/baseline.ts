import type { RunResult } from '../../result/result-schema.ts';
import {
  formatCount,
  formatDurationMs,
  formatLatencyUs,
  formatRate,
  formatRatio,
  formatWholeMs,
} from '../../util/format.ts';
import { html, type SafeHtml } from '../page/html.ts';

/** The RPC phases beside a plain Node HTTP server measured with autocannon on the same machine. */
export function renderBaseline(result: RunResult, runIndex: number): SafeHtml {
  const base = result.httpBaseline;
  if (base === null) return html``;
  return html`<section class="block">
  <h3>RPC vs HTTP baseline</h3>
  <table class="compact" data-run="${runIndex}" data-role="baseline">
    <thead><tr>
      <th>Measured</th><th class="num">per second</th><th class="num">p50</th><th class="num">p90</th>
      <th class="num">p99</th><th class="num">max</th><th class="num">vs HTTP</th>
    </tr></thead>
    <tbody>
      ${result.phases.map((phase, i) => {
        const s = phase.latency.summary;
        return html`<tr data-phase="${i}">
        <td>RPC: ${phase.label}</td>
        <td class="num">${formatRate(phase.callsPerSecond)}</td>
        <td class="num">${formatLatencyUs(s.p50Us)}</td>
        <td class="num">${formatLatencyUs(s.p90Us)}</td>
        <td class="num">${formatLatencyUs(s.p99Us)}</td>
        <td class="num">${formatLatencyUs(s.maxUs)}</td>
        <td class="num">${base.requestsPerSecond > 0 ? formatRatio(phase.callsPerSecond / base.requestsPerSecond) : '—'}</td>
      </tr>`;
      })}
      <tr class="baseline-row" data-role="http">
        <td>HTTP baseline (autocannon, ${base.connections} connections)</td>
        <td class="num" data-field="requestsPerSecond">${formatRate(base.requestsPerSecond)}</td>
        <td class="num" data-field="p50">${formatWholeMs(base.latencyMs.p50)}</td>
        <td class="num">${formatWholeMs(base.latencyMs.p90)}</td>
        <td class="num">${formatWholeMs(base.latencyMs.p99)}</td>
        <td class="num">${formatWholeMs(base.latencyMs.max)}</td>
        <td class="num">1.00×</td>
      </tr>
    </tbody>
  </table>
  <p class="note" data-field="resolution">The HTTP figures have a resolution of ${base.resolutionMs}&nbsp;ms:
    autocannon counts whole milliseconds, so a loopback p50 of 0&nbsp;ms means under 1&nbsp;ms.
    ${formatCount(base.requests)} requests in ${formatDurationMs(base.durationMs)},
    ${formatCount(base.errors)} errors, ${formatCount(base.non2xx)} non-2xx answers.</p>
</section>`;
}
