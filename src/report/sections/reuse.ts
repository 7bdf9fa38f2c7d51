import type { RunResult } from '../../result/result-schema.ts';
import { formatLatencyUs, formatRate, formatRatio } from '../../util/format.ts';
import type { ChartRegistry } from '../chart-spec.ts';
import { html, type SafeHtml } from '../page/html.ts';
import { buildCurveSet, decodeHistogram } from '../percentile-curve.ts';
import { findReusePairs } from '../reuse-pairs.ts';

const ratioText = (ratio: number | null) => (ratio === null ? '—' : formatRatio(ratio));

/** Cached clients against a dial per call: latency curves side by side and the ratios. */
export function renderReuse(result: RunResult, runIndex: number, charts: ChartRegistry): SafeHtml {
  const pairs = findReusePairs(result.phases);
  if (pairs.length === 0) return html``;
  // One colour per select mode, solid for cached clients and dashed for a dial per call.
  const modes = [...new Set(pairs.map((pair) => result.phases[pair.dialIndex]!.mode))];
  const shown = [...new Set(pairs.flatMap((pair) => [pair.cachedIndex, pair.dialIndex]))].filter(
    (i) => result.phases[i]!.latency.summary.count > 0,
  );
  const curves = buildCurveSet(
    shown.map((i) => {
      const phase = result.phases[i]!;
      return {
        label: phase.label,
        histogram: decodeHistogram(phase.latency.encoded, `phases[${i}].latency`),
        colourIndex: Math.max(0, modes.indexOf(phase.mode)),
        dashIndex: phase.reuseClients ? 0 : 1,
      };
    }),
  );
  const id =
    curves.series.length > 0
      ? charts.add({ kind: 'percentile', views: { reuse: curves }, initialView: 'reuse' })
      : null;
  return html`<section class="block">
  <h3>Reusing clients vs dialing per call</h3>
  <table class="compact" data-run="${runIndex}" data-role="reuse">
    <thead><tr>
      <th>Cached</th><th>Dial per call</th>
      <th class="num">calls/s cached</th><th class="num">calls/s dial</th><th class="num">calls/s ratio</th>
      <th class="num">p50 ratio</th><th class="num">p99 ratio</th>
    </tr></thead>
    <tbody>
      ${pairs.map((pair, n) => {
        const cached = result.phases[pair.cachedIndex]!;
        const dial = result.phases[pair.dialIndex]!;
        return html`<tr data-pair="${n}">
        <td>${cached.label}</td><td>${dial.label}</td>
        <td class="num">${formatRate(cached.callsPerSecond)}</td>
        <td class="num">${formatRate(dial.callsPerSecond)}</td>
        <td class="num" data-ratio="callsPerSecond">${ratioText(pair.callsPerSecondRatio)}</td>
        <td class="num" data-ratio="p50" title="${formatLatencyUs(dial.latency.summary.p50Us)} vs ${formatLatencyUs(cached.latency.summary.p50Us)}">${ratioText(pair.p50Ratio)}</td>
        <td class="num" data-ratio="p99" title="${formatLatencyUs(dial.latency.summary.p99Us)} vs ${formatLatencyUs(cached.latency.summary.p99Us)}">${ratioText(pair.p99Ratio)}</td>
      </tr>`;
      })}
    </tbody>
  </table>
  <p class="muted">calls/s ratio: cached over dial (how many times more calls reusing clients gets through).
    p50 and p99 ratios: dial over cached (how many times slower a call is when it dials first).</p>
  ${
    id === null
      ? ''
      : html`<div class="chart-controls" data-controls-for="${id}">
    <label class="log-toggle"><input type="checkbox" data-log-y checked> log latency axis</label>
  </div>
  <figure>
    <div class="chart" id="${id}" data-chart="${id}" data-run="${runIndex}" data-role="reuse"
      role="img" aria-label="Latency by percentile, cached clients against dial per call"></div>
    <figcaption>Latency by percentile: solid lines reuse clients, dashed lines dial per call; one colour
      per select mode. The latency axis starts on a log scale, since the two differ by a factor.</figcaption>
  </figure>`
  }
</section>`;
}
