import {
  latencyAtPercentile,
  percentileLabel,
  percentileMetric,
  summaryPercentiles,
} from '../../result/percentile.ts';
import type { HistogramRecord, RunResult } from '../../result/result-schema.ts';
import { html, type SafeHtml } from '../page/html.ts';
import { serverLabel } from '../server-label.ts';

type Cell = string | number | boolean | null;

/** Values exactly as the result file holds them, so that a copy pastes the measured numbers. */
function raw(value: Cell): string {
  return value === null ? '' : String(value);
}

function table(role: string, caption: string, headers: readonly string[], rows: readonly Cell[][]): SafeHtml {
  if (rows.length === 0) return html``;
  return html`<div class="table-scroll">
  <table class="figures" data-figures="${role}">
    <caption>${caption}</caption>
    <thead><tr>${headers.map((h) => html`<th>${h}</th>`)}</tr></thead>
    <tbody>${rows.map(
      (row) =>
        html`<tr>${row.map((cell) => html`<td class="${typeof cell === 'number' ? 'num' : ''}">${raw(cell)}</td>`)}</tr>`,
    )}</tbody>
  </table>
</div>`;
}

/** Rows of named fields, one column per record: wide records read better this way round. */
function transpose(fields: readonly string[], records: readonly Cell[][]): Cell[][] {
  return fields.map((field, f) => [field, ...records.map((record) => record[f] ?? null)]);
}

/** Every figure of the run in plain tables, latencies in microseconds. */
export function renderFigures(result: RunResult, runIndex: number): SafeHtml {
  const env = result.environment;
  const base = result.httpBaseline;
  const percentiles = summaryPercentiles(result.scenario.config);
  const percentileCells = (latency: HistogramRecord): Cell[] =>
    percentiles.map((percentile) => latencyAtPercentile(latency, percentile));
  const timelineRows = result.phases.flatMap((phase) =>
    phase.timeline.map(
      (p) => [phase.label, p.startMs, p.durationMs, p.calls, p.errors, p.p50Us, p.p99Us, p.maxUs] as Cell[],
    ),
  );
  return html`<section class="block figures-block" data-run="${runIndex}">
  <h3>All figures</h3>
  <p class="muted">As recorded in the result file. Latencies in microseconds (µs), durations in milliseconds.</p>
  ${table(
    'phases',
    'Phases (one column per phase)',
    ['field', ...result.phases.map((p) => p.label)],
    transpose(
      [
        'mode',
        'reuseClients',
        'durationMs',
        'calls',
        'errors',
        'callsPerSecond',
        'count',
        'minUs',
        'meanUs',
        'stdevUs',
        'p50Us',
        'p90Us',
        'p99Us',
        'p999Us',
        'maxUs',
      ],
      result.phases.map((p) => {
        const s = p.latency.summary;
        return [
          p.mode,
          p.reuseClients,
          p.durationMs,
          p.calls,
          p.errors,
          p.callsPerSecond,
          s.count,
          s.minUs,
          s.meanUs,
          s.stdevUs,
          s.p50Us,
          s.p90Us,
          s.p99Us,
          s.p999Us,
          s.maxUs,
        ];
      }),
    ),
  )}
  ${table(
    'percentiles',
    `Latency percentiles, µs (${percentiles.map(percentileLabel).join(', ')}: the scenario's percentiles)`,
    ['phase', 'server', ...percentiles.map(percentileMetric)],
    result.phases.flatMap((p) => [
      [p.label, 'all', ...percentileCells(p.latency)],
      ...p.servers.map((s) => [p.label, s.address, ...percentileCells(s.latency)]),
    ]),
  )}
  ${table(
    'errors',
    'Errors by code',
    ['phase', 'code', 'count'],
    result.phases.flatMap((p) =>
      Object.entries(p.errorsByCode).map(([code, count]) => [p.label, code, count]),
    ),
  )}
  ${table(
    'servers',
    'Servers',
    [
      'phase',
      'server',
      'address',
      'weight',
      'clientCount',
      'errors',
      'serverCount',
      'share',
      'expectedShare',
      'count',
      'p50Us',
      'p90Us',
      'p99Us',
      'p999Us',
      'maxUs',
    ],
    result.phases.flatMap((p) =>
      p.servers.map((s, index) => {
        const l = s.latency.summary;
        return [
          p.label,
          serverLabel(result, index),
          s.address,
          s.weight,
          s.clientCount,
          s.errors,
          s.serverCount,
          s.share,
          s.expectedShare,
          l.count,
          l.p50Us,
          l.p90Us,
          l.p99Us,
          l.p999Us,
          l.maxUs,
        ];
      }),
    ),
  )}
  ${table(
    'fairness',
    'Fairness',
    ['phase', 'jain', 'cv', 'maxMinRatio', 'chiSquare', 'degreesOfFreedom', 'pValue'],
    result.phases.flatMap((p) =>
      p.fairness === null
        ? []
        : [
            [
              p.label,
              p.fairness.jain,
              p.fairness.cv,
              p.fairness.maxMinRatio,
              p.fairness.chiSquare,
              p.fairness.degreesOfFreedom,
              p.fairness.pValue,
            ],
          ],
    ),
  )}
  ${table(
    'micro',
    'Micro-benchmarks',
    ['name', 'samples', 'opsPerSecond', 'meanUs', 'p50Us', 'p99Us', 'rmePercent', 'ratio'],
    result.micro.map((m) => [
      m.name,
      m.samples,
      m.opsPerSecond,
      m.meanUs,
      m.p50Us,
      m.p99Us,
      m.rmePercent,
      m.ratio ?? null,
    ]),
  )}
  ${
    base === null
      ? ''
      : table(
          'http',
          'HTTP baseline (milliseconds, 1 ms resolution)',
          [
            'connections',
            'durationMs',
            'requests',
            'requestsPerSecond',
            'meanMs',
            'p50Ms',
            'p90Ms',
            'p99Ms',
            'maxMs',
            'errors',
            'non2xx',
          ],
          [
            [
              base.connections,
              base.durationMs,
              base.requests,
              base.requestsPerSecond,
              base.latencyMs.mean,
              base.latencyMs.p50,
              base.latencyMs.p90,
              base.latencyMs.p99,
              base.latencyMs.max,
              base.errors,
              base.non2xx,
            ],
          ],
        )
  }
  ${table(
    'thresholds',
    'Thresholds',
    ['expression', 'metric', 'phase', 'actual', 'passed'],
    result.thresholds.map((t) => [t.expression, t.metric, t.phase, t.actual, t.passed]),
  )}
  ${table(
    'run',
    'Run',
    ['field', 'value'],
    transpose(
      [
        'startedAt',
        'finishedAt',
        'partial',
        'rssStartBytes',
        'rssEndBytes',
        'node',
        'platform',
        'arch',
        'cpuModel',
        'cores',
        'totalMemoryBytes',
        'gitCommit',
      ],
      [
        [
          result.startedAt,
          result.finishedAt,
          result.partial,
          result.memory.rssStartBytes,
          result.memory.rssEndBytes,
          env.node,
          env.platform,
          env.arch,
          env.cpuModel,
          env.cores,
          env.totalMemoryBytes,
          env.gitCommit,
        ],
      ],
    ),
  )}
  ${
    timelineRows.length > 0
      ? html`<details class="timeline-figures">
    <summary>Timeline, interval by interval (${timelineRows.length} rows)</summary>
    ${table(
      'timeline',
      'Timeline',
      ['phase', 'startMs', 'durationMs', 'calls', 'errors', 'p50Us', 'p99Us', 'maxUs'],
      timelineRows,
    )}
  </details>`
      : ''
  }
  <details class="scenario-config">
    <summary>Scenario configuration (defaults applied)</summary>
    <pre><code>${JSON.stringify(result.scenario.config, null, 2)}</code></pre>
  </details>
</section>`;
}
