import type { RunResult } from '../../result/result-schema.ts';
import type { CapacitySearchRecord } from '../../result/search-schema.ts';
import { formatCount, formatLatencyUs, formatRate } from '../../util/format.ts';
import { usToMs } from '../../util/units.ts';
import type { CapacityChartSpec, ChartRegistry } from '../chart-spec.ts';
import { html, type SafeHtml } from '../page/html.ts';
import { renderPhaseTitle } from '../phase-label.ts';
import { describeSearch } from '../search-summary.ts';

/** Each capacity search: what it found, its latency-versus-throughput curve, and every step. */
export function renderSearch(result: RunResult, runIndex: number, charts: ChartRegistry): SafeHtml {
  const searched = result.phases.flatMap((phase, i) => (phase.search === undefined ? [] : [{ phase, i }]));
  if (searched.length === 0) return html``;
  return html`<section class="block">
  <h3>Capacity search</h3>
  <p class="muted">Each step offered an open-model rate for a short measured window. p99 by achieved
  rate: green where the step met the objective, orange where it did not; the knee is where they meet.
  The dashed line is the latency objective.</p>
  ${searched.map(({ phase, i }) => {
    const search = phase.search!;
    const id = charts.add(capacityChart(search));
    return html`<figure class="search" data-run="${runIndex}" data-phase="${i}">
      <figcaption>${renderPhaseTitle(phase)}</figcaption>
      <p data-role="search-verdict">${describeSearch(search)}</p>
      <div class="chart" id="${id}" data-chart="${id}" data-run="${runIndex}" data-role="capacity"
        role="img" aria-label="Latency against achieved rate, one point per search step"></div>
      <table class="compact" data-run="${runIndex}" data-role="search-steps">
        <thead><tr>
          <th class="num">step</th><th>kind</th><th class="num">offered/s</th><th class="num">achieved/s</th>
          <th class="num">p50</th><th class="num">p99</th><th class="num">errors</th><th>verdict</th>
        </tr></thead>
        <tbody>
          ${search.steps.map(
            (step, index) => html`<tr data-step="${index}" class="${step.passed ? 'pass' : 'fail'}">
            <td class="num">${index + 1}</td>
            <td>${step.kind}</td>
            <td class="num">${formatRate(step.offeredRatePerSecond)}</td>
            <td class="num">${formatRate(step.achievedRatePerSecond)}</td>
            <td class="num">${formatLatencyUs(step.p50Us)}</td>
            <td class="num">${formatLatencyUs(step.p99Us)}</td>
            <td class="num">${formatCount(step.errors)}</td>
            <td>${step.passed ? 'met' : (step.failure ?? 'missed')}</td>
          </tr>`,
          )}
        </tbody>
      </table>
    </figure>`;
  })}
</section>`;
}

/** `p99 < 5ms`, `p(99.9)<=800us`: a latency objective the chart can draw as a line. */
const LATENCY_OBJECTIVE = /^\s*(p\(?[\d.]+\)?)\s*<=?\s*([\d.]+)\s*(us|µs|ms|s)\s*$/i;
const MS_PER_UNIT: Record<string, number> = { us: 0.001, µs: 0.001, ms: 1, s: 1000 };

/** The latency objectives of a search, in ms, for the chart's objective lines; others are left out. */
export function latencyObjectives(slo: readonly string[]): { label: string; ms: number }[] {
  return slo.flatMap((expression) => {
    const match = LATENCY_OBJECTIVE.exec(expression);
    if (match === null) return [];
    const ms = Number(match[2]) * MS_PER_UNIT[match[3]!.toLowerCase()]!;
    return Number.isFinite(ms) && ms > 0 ? [{ label: expression.trim(), ms }] : [];
  });
}

/**
 * The steps by achieved rate; steps that sent nothing have no place on a log axis. The x axis ends
 * a little past the highest step, not at the next power of ten.
 */
export function capacityChart(search: CapacitySearchRecord): CapacityChartSpec {
  const steps = search.steps
    .filter((step) => step.achievedRatePerSecond > 0)
    .sort((a, b) => a.achievedRatePerSecond - b.achievedRatePerSecond);
  const rates = steps.map((step) => step.achievedRatePerSecond);
  const low = rates[0] ?? 1;
  const high = rates[rates.length - 1] ?? 10;
  return {
    kind: 'capacity',
    achievedPerSecond: rates,
    xRange: [low / X_MARGIN, Math.max(high * X_MARGIN, low * 2)],
    objectives: latencyObjectives(search.slo),
    p50Ms: steps.map((step) => usToMs(step.p50Us)),
    p99PassedMs: steps.map((step) => (step.passed ? usToMs(step.p99Us) : null)),
    p99FailedMs: steps.map((step) => (step.passed ? null : usToMs(step.p99Us))),
  };
}

/** Room either side of the outermost steps on the log rate axis (a factor). */
const X_MARGIN = 1.25;
