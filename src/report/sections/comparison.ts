import type { RunResult } from '../../result/result-schema.ts';
import { formatRelativeChange, formatTimestamp } from '../../util/format.ts';
import { type ChartRegistry, SERIES_COLOURS } from '../chart-spec.ts';
import { html, type SafeHtml } from '../page/html.ts';
import { buildCurveSet, decodeHistogram, type LabelledHistogram } from '../percentile-curve.ts';
import {
  COMPARED_METRICS,
  type ComparedMetric,
  compareValues,
  matchPhases,
  runLetter,
} from '../run-comparison.ts';

const VERDICT_MARK = { better: 'better', worse: 'worse', same: 'same', 'n/a': '' } as const;

function deltaCell(metric: ComparedMetric, a: number | null, b: number | null, runIndex: number): SafeHtml {
  const delta = compareValues(a, b, metric.better);
  if (delta.difference === null)
    return html`<td class="num delta" data-run="${runIndex}" data-verdict="n/a">—</td>`;
  const sign = delta.difference > 0 ? '+' : '−';
  const amount =
    delta.verdict === 'same'
      ? ''
      : delta.relative === null
        ? `${sign}${metric.format(Math.abs(delta.difference))}`
        : `${sign}${formatRelativeChange(delta.relative)}`;
  return html`<td class="num delta ${delta.verdict}" data-run="${runIndex}" data-verdict="${delta.verdict}">
    <span class="delta-amount">${amount}</span> <span class="delta-verdict">${VERDICT_MARK[delta.verdict]}</span></td>`;
}

function overlayCurves(results: readonly RunResult[]): LabelledHistogram[] {
  const matches = matchPhases(results);
  const curves: LabelledHistogram[] = [];
  matches.forEach((match, m) => {
    match.phases.forEach((phase, r) => {
      if (phase === null || phase.latency.summary.count === 0) return;
      const p = results[r]!.phases.indexOf(phase);
      curves.push({
        label: `${runLetter(r)} · ${phase.label}`,
        histogram: decodeHistogram(phase.latency.encoded, `run ${runLetter(r)}: phases[${p}].latency`),
        colourIndex: r,
        dashIndex: m,
      });
    });
  });
  return curves;
}

/** Several runs together: who they are, their percentile curves overlaid, and each metric's change. */
export function renderComparison(results: readonly RunResult[], charts: ChartRegistry): SafeHtml {
  const curves = buildCurveSet(overlayCurves(results));
  const id =
    curves.series.length > 0
      ? charts.add({ kind: 'percentile', views: { runs: curves }, initialView: 'runs' })
      : null;
  const matches = matchPhases(results);
  const others = results.slice(1).map((_, i) => i + 1);
  return html`<section class="run comparison" id="comparison">
  <header class="run-header">
    <p class="eyebrow">Comparison</p>
    <h2>${results.length} runs</h2>
    <ol class="run-list">
      ${results.map(
        (
          r,
          i,
        ) => html`<li data-run="${i}"><span class="run-letter" style="background:${SERIES_COLOURS[i % SERIES_COLOURS.length]}">${runLetter(i)}</span>
        <a href="#run-${i}" class="scenario-name">${r.scenario.name}</a>
        <span class="muted">${formatTimestamp(r.startedAt)} · commit ${r.environment.gitCommit?.slice(0, 12) ?? 'unknown'}${r.partial ? ' · partial' : ''}</span></li>`,
      )}
    </ol>
  </header>
  ${
    id === null
      ? ''
      : html`<section class="block">
    <h3>Latency distribution, overlaid</h3>
    <div class="chart-controls" data-controls-for="${id}">
      <label class="log-toggle"><input type="checkbox" data-log-y> log latency axis</label>
    </div>
    <figure>
      <div class="chart" id="${id}" data-chart="${id}" data-role="comparison" role="img"
        aria-label="Latency by percentile of every run"></div>
      <figcaption>One colour per run, one dash pattern per phase. x: 1/(1−p) on a log scale.</figcaption>
    </figure>
  </section>`
  }
  <section class="block">
    <h3>Changes against run A</h3>
    <div class="table-scroll">
    <table class="compact deltas" data-role="deltas">
      <thead><tr>
        <th>Phase</th><th>Metric</th><th class="num">A</th>
        ${others.map((i) => html`<th class="num">${runLetter(i)}</th><th class="num">${runLetter(i)} vs A</th>`)}
      </tr></thead>
      <tbody>
        ${matches.map((match, m) =>
          COMPARED_METRICS.map((metric, k) => {
            const values = match.phases.map((phase) => (phase === null ? null : metric.read(phase)));
            const shown = (v: number | null) => (v === null ? '—' : metric.format(v));
            return html`<tr data-match="${m}" data-metric="${metric.key}"${k === 0 ? html` class="group-start"` : ''}>
            <td>${k === 0 ? match.label : ''}</td>
            <td>${metric.label} <span class="muted">${metric.better === 'higher' ? '(higher is better)' : '(lower is better)'}</span></td>
            <td class="num" data-run="0" data-value="${values[0] ?? ''}">${shown(values[0] ?? null)}</td>
            ${others.map(
              (
                i,
              ) => html`<td class="num" data-run="${i}" data-value="${values[i] ?? ''}">${shown(values[i] ?? null)}</td>
            ${deltaCell(metric, values[0] ?? null, values[i] ?? null, i)}`,
            )}
          </tr>`;
          }),
        )}
      </tbody>
    </table>
    </div>
  </section>
</section>`;
}
