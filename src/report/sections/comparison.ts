import type { PhaseResult, RunResult } from '../../result/result-schema.ts';
import { formatRelativeChange, formatTimestamp } from '../../util/format.ts';
import { type ChartRegistry, SERIES_COLOURS } from '../chart-spec.ts';
import { configDifferences, differentScenarios } from '../comparison/config-diff.ts';
import { CHANGE_ALPHA, CHANGE_CONFIDENCE, type NoisyChange } from '../comparison/noise-judgement.ts';
import {
  COMPARED_METRICS,
  type ComparedMetric,
  compareValues,
  matchPhases,
  type PhaseMatch,
  runLetter,
} from '../comparison/run-comparison.ts';
import { showsFairness } from '../figures/shown-figures.ts';
import { html, type SafeHtml } from '../page/html.ts';
import {
  buildCurveSet,
  type CurveSet,
  decodeHistogram,
  type LabelledHistogram,
} from '../percentile-curve.ts';

const VERDICT_MARK = { better: 'better', worse: 'worse', unclear: 'no clear change', 'n/a': '' } as const;
/** Runs drawn in one overlay chart; the others are in the table only, so that the chart stays readable. */
export const MAX_OVERLAY_RUNS = 4;

function signed(text: string, value: number): string {
  return `${value > 0 ? '+' : value < 0 ? '−' : '±'}${text}`;
}

/** The change's bootstrap interval, relative to A's per-interval figure when that is not 0. */
function intervalText(metric: ComparedMetric, change: NoisyChange): string {
  const percent = Math.round(change.confidence * 100);
  if (change.relativeLow !== null && change.relativeHigh !== null) {
    const ratio = (value: number) =>
      signed(formatRelativeChange(Math.abs(value)).replace(/^[+−-]/, ''), value);
    return `${percent} % CI ${ratio(change.relativeLow)} … ${ratio(change.relativeHigh)}`;
  }
  const relative = change.a !== 0 && Number.isFinite(change.a);
  const show = (value: number) =>
    relative
      ? signed(formatRelativeChange(Math.abs(value / change.a)).replace(/^[+−-]/, ''), value)
      : signed(metric.format(Math.abs(value)), value);
  return `${percent} % CI ${show(change.low)} … ${show(change.high)}`;
}

function deltaCell(
  metric: ComparedMetric,
  a: PhaseResult | null,
  b: PhaseResult | null,
  runIndex: number,
): SafeHtml {
  const aValue = a === null ? null : metric.read(a);
  const bValue = b === null ? null : metric.read(b);
  const delta = compareValues(aValue, bValue);
  if (delta.difference === null || a === null || b === null)
    return html`<td class="num delta" data-run="${runIndex}" data-verdict="n/a">—</td>`;
  const change = metric.judge(a, b);
  const amount =
    delta.difference === 0
      ? '±0'
      : delta.relative === null
        ? signed(metric.format(Math.abs(delta.difference)), delta.difference)
        : signed(formatRelativeChange(Math.abs(delta.relative)).replace(/^[+−-]/, ''), delta.difference);
  const detail =
    change.verdict === 'n/a'
      ? 'no per-interval figures to judge the noise by'
      : change.method === 'shares'
        ? `servers' counts of ${change.samples[0]} and ${change.samples[1]} calls: χ² homogeneity p = ${change.pValue.toPrecision(2)}`
        : `per-interval figures of ${change.samples[0]} and ${change.samples[1]} intervals: ` +
          `A ${metric.format(change.a)}, ${runLetter(runIndex)} ${metric.format(change.b)}; ` +
          `Mann-Whitney p = ${change.pValue.toPrecision(2)}`;
  return html`<td class="num delta ${change.verdict}" data-run="${runIndex}" data-verdict="${change.verdict}"
    title="${detail}">
    <span class="delta-amount">${amount}</span> <span class="delta-verdict">${VERDICT_MARK[change.verdict]}</span>
    ${
      change.verdict === 'n/a'
        ? ''
        : html`<span class="delta-interval">${
            change.reason ??
            (change.method === 'shares'
              ? `χ² p = ${change.pValue.toPrecision(2)}`
              : intervalText(metric, change))
          }</span>`
    }</td>`;
}

/** The overlay's views: one per phase, each with at most MAX_OVERLAY_RUNS runs, one colour per run. */
function overlayViews(results: readonly RunResult[]): { key: string; label: string; curves: CurveSet }[] {
  return matchPhases(results).flatMap((match, m) => {
    const curves: LabelledHistogram[] = [];
    match.phases.slice(0, MAX_OVERLAY_RUNS).forEach((phase, r) => {
      if (phase === null || phase.latency.summary.count === 0) return;
      const p = results[r]!.phases.indexOf(phase);
      curves.push({
        label: `${runLetter(r)} · ${phase.label}`,
        histogram: decodeHistogram(phase.latency.encoded, `run ${runLetter(r)}: phases[${p}].latency`),
        colourIndex: r,
      });
    });
    return curves.length === 0
      ? []
      : [{ key: `phase:${m}`, label: match.label, curves: buildCurveSet(curves) }];
  });
}

function renderConfigDifferences(results: readonly RunResult[]): SafeHtml {
  const scenarios = differentScenarios(results);
  const differences = configDifferences(results);
  const letters = results.map((_, i) => runLetter(i));
  return html`<section class="block config-diff" data-role="config-diff">
    <h3>What differs between the runs</h3>
    ${
      scenarios === null
        ? ''
        : html`<p class="warning" data-role="scenario-warning">These runs are of different scenarios
      (${scenarios.join(', ')}): a change below may come from the scenarios, not from the code.</p>`
    }
    ${
      differences.length === 0
        ? html`<p class="muted" data-role="config-same">Same settings, commit and machine in every run.</p>`
        : html`<div class="table-scroll"><table class="compact" data-role="config-differences">
      <thead><tr><th>Setting</th>${letters.map((letter) => html`<th>${letter}</th>`)}</tr></thead>
      <tbody>${differences.map(
        (difference) => html`<tr data-field="${difference.field}"><td><code>${difference.field}</code></td>
        ${difference.values.map((value) => html`<td><code>${value}</code></td>`)}</tr>`,
      )}</tbody>
    </table></div>`
    }
  </section>`;
}

/** Several runs together: who they are, their percentile curves overlaid, and each metric's change. */
export function renderComparison(results: readonly RunResult[], charts: ChartRegistry): SafeHtml {
  const overlay = renderOverlay(results, charts);
  return html`<section class="run comparison" id="comparison">
  ${renderRunList(results)}
  ${renderConfigDifferences(results)}
  ${overlay}
  ${renderChanges(results)}
</section>`;
}

/** Each run's letter and colour, its scenario, when it ran and at which commit. */
function renderRunList(results: readonly RunResult[]): SafeHtml {
  return html`<header class="run-header">
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
  </header>`;
}

/** The percentile curves of the first MAX_OVERLAY_RUNS runs, one view per phase; nothing when no run measured a call. */
function renderOverlay(results: readonly RunResult[], charts: ChartRegistry): SafeHtml | string {
  const views = overlayViews(results);
  if (views.length === 0) return '';
  const id = charts.add({
    kind: 'percentile',
    views: Object.fromEntries(views.map((view) => [view.key, view.curves])),
    initialView: views[0]!.key,
  });
  const hidden = results.length - MAX_OVERLAY_RUNS;
  return html`<section class="block">
    <h3>Latency distribution, overlaid</h3>
    <div class="chart-controls" data-controls-for="${id}">
      ${
        views.length > 1
          ? html`<label>Phase <select data-view-select>
        ${views.map((view) => html`<option value="${view.key}">${view.label}</option>`)}
      </select></label>`
          : ''
      }
      <label class="log-toggle"><input type="checkbox" data-log-y> log latency axis</label>
    </div>
    <figure>
      <div class="chart" id="${id}" data-chart="${id}" data-role="comparison" role="img"
        aria-label="Latency by percentile of each run"></div>
      <figcaption>One colour per run. x: 1/(1−p) on a log scale.${
        hidden > 0
          ? ` Runs ${runLetter(MAX_OVERLAY_RUNS)}–${runLetter(results.length - 1)} are in the table only.`
          : ''
      }</figcaption>
    </figure>
  </section>`;
}

/** The table of each metric of each matched phase, every run against run A, and how the noise is judged. */
function renderChanges(results: readonly RunResult[]): SafeHtml {
  const matches = matchPhases(results);
  const others = results.slice(1).map((_, i) => i + 1);
  return html`<section class="block">
    <h3>Changes against run A</h3>
    <p class="muted">A change is called better or worse only when it is larger than the noise: judged on
      the runs' interval-by-interval figures, the ${Math.round(CHANGE_CONFIDENCE * 100)} % bootstrap interval
      of the change in their median (mean for errors) must exclude zero and the Mann-Whitney U test must
      reject "no difference" (p &lt; ${CHANGE_ALPHA}); Jain's index changes when the χ² test of the servers'
      counts says the runs spread their calls differently. Otherwise: no clear change, with the interval shown.
      The percentage is the change in the whole run's figure.</p>
    <div class="table-scroll">
    <table class="compact deltas" data-role="deltas">
      <thead><tr>
        <th>Phase</th><th>Metric</th><th class="num">A</th>
        ${others.map((i) => html`<th class="num">${runLetter(i)}</th><th class="num">${runLetter(i)} vs A</th>`)}
      </tr></thead>
      <tbody>
        ${matches.map((match, m) => renderMetricRows(match, m, others))}
      </tbody>
    </table>
    </div>
  </section>`;
}

/** One matched phase's rows: a metric each, its value in every run and each run's change against A. */
function renderMetricRows(match: PhaseMatch, m: number, others: readonly number[]): SafeHtml[] {
  // One server has no share to be fair about: no Jain row unless a run of the match has two or more.
  return COMPARED_METRICS.filter(
    (metric) => metric.key !== 'jain' || match.phases.some((p) => p !== null && showsFairness(p)),
  ).map((metric, k) => {
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
            ${deltaCell(metric, match.phases[0] ?? null, match.phases[i] ?? null, i)}`,
            )}
          </tr>`;
  });
}
