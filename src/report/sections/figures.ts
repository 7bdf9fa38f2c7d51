import { latencyAtPercentile, percentileLabel, summaryPercentiles } from '../../result/percentile.ts';
import { phaseCounts } from '../../result/phase-counts.ts';
import type { HistogramRecord, PhaseResult, RunResult } from '../../result/result-schema.ts';
import { serverLabel } from '../figures/server-label.ts';
import { NO_FIGURE, showsFairness } from '../figures/shown-figures.ts';
import { html, type SafeHtml } from '../page/html.ts';
import { type Cell, cell, figuresTable, transpose } from './figures-table.ts';

/** A histogram's summary figures, `–` where it holds no call (or the result has none). */
function latencyCells(latency: HistogramRecord | undefined): Cell[] {
  const s = latency?.summary;
  const has = s !== undefined && s.count > 0;
  const us = (value: number | undefined) => cell.latencyUs(has ? value : null);
  return [cell.count(s?.count), us(s?.minUs), us(s?.meanUs), us(s?.stdevUs), us(s?.p50Us)].concat([
    us(s?.p90Us),
    us(s?.p99Us),
    us(s?.p999Us),
    us(s?.maxUs),
  ]);
}

const LATENCY_FIELDS = ['count', 'min', 'mean', 'stdev', 'p50', 'p90', 'p99', 'p99.9', 'max'];

/** Offered and achieved rates, ok, failed and dropped calls; `–` for what an older result lacks. */
function phaseColumn(phase: PhaseResult): Cell[] {
  const counts = phaseCounts(phase);
  return [
    cell.text(phase.mode),
    cell.flag(phase.reuseClients),
    cell.durationMs(phase.durationMs),
    cell.count(phase.calls),
    cell.perSecond(phase.offeredPerSecond),
    cell.perSecond(phase.callsPerSecond),
    cell.count(phase.ok),
    cell.count(counts.failed),
    cell.count(phase.dropped),
    ...latencyCells(phase.latency),
    ...latencyCells(phase.failedLatency),
  ];
}

function phasesTable(result: RunResult): SafeHtml {
  const fields = [
    'mode',
    'reuse clients',
    'duration',
    'offered calls',
    'offered rate',
    'achieved rate',
    'ok',
    'failed (made, not ok)',
    'dropped (never sent)',
    ...LATENCY_FIELDS.map((f) => `ok latency ${f}`),
    ...LATENCY_FIELDS.map((f) => `failed-call latency ${f}`),
  ];
  return figuresTable(
    'phases',
    'Phases (one column per phase)',
    ['field', ...result.phases.map((p) => p.label)],
    transpose(fields, result.phases.map(phaseColumn)),
  );
}

function percentilesTable(result: RunResult): SafeHtml {
  const percentiles = summaryPercentiles(result.scenario.config);
  const row = (phase: string, server: string, latency: HistogramRecord): Cell[] => [
    cell.text(phase),
    cell.text(server),
    ...percentiles.map((p) => cell.latencyUs(latencyAtPercentile(latency, p))),
  ];
  return figuresTable(
    'percentiles',
    `Latency percentiles of the ok calls (${percentiles.map(percentileLabel).join(', ')}: the scenario's percentiles)`,
    ['phase', 'server', ...percentiles.map(percentileLabel)],
    result.phases.flatMap((p) => [
      row(p.label, 'all', p.latency),
      ...p.servers.map((s, i) => row(p.label, serverLabel(result, i), s.latency)),
    ]),
  );
}

function errorsTable(result: RunResult): SafeHtml {
  return figuresTable(
    'errors',
    'Errors by code (ERR_DROPPED: due, never sent)',
    ['phase', 'code', 'count'],
    result.phases.flatMap((p) =>
      Object.entries(p.errorsByCode).map(([code, count]) => [
        cell.text(p.label),
        cell.text(code),
        cell.count(count),
      ]),
    ),
  );
}

/** Compact enough to fit the page at 1,400 px: the address wraps, the figures are rounded. */
function serversTable(result: RunResult): SafeHtml {
  const rows = result.phases.flatMap((p) =>
    p.servers.map((s, index): Cell[] => {
      const l = s.latency.summary;
      const us = (value: number) => cell.latencyUs(l.count > 0 ? value : null);
      return [
        cell.text(p.label),
        cell.text(serverLabel(result, index)),
        cell.text(s.address),
        cell.plain(s.weight),
        cell.count(s.clientCount),
        cell.count(s.serverCount),
        cell.count(s.errors),
        cell.fraction(s.share),
        cell.fraction(s.expectedShare),
        us(l.p50Us),
        us(l.p99Us),
        us(l.maxUs),
      ];
    }),
  );
  const headers = ['phase', 'server', 'address', 'weight', 'sent', 'served', 'errors', 'share', 'expected'];
  return figuresTable('servers', 'Servers', [...headers, 'p50', 'p99', 'max'], rows);
}

/** Only phases with two servers or more: one server has no share to be fair about. */
function fairnessTable(result: RunResult): SafeHtml {
  return figuresTable(
    'fairness',
    'Fairness',
    ['phase', 'Jain', 'CV', 'max / min', 'χ²', 'd.f.', 'p-value'],
    result.phases.filter(showsFairness).map((p) => {
      const f = p.fairness!;
      return [cell.text(p.label), cell.stat(f.jain), cell.stat(f.cv), cell.stat(f.maxMinRatio)].concat([
        cell.stat(f.chiSquare),
        cell.plain(f.degreesOfFreedom),
        cell.stat(f.pValue),
      ]);
    }),
  );
}

function microTable(result: RunResult): SafeHtml {
  return figuresTable(
    'micro',
    'Micro-benchmarks',
    ['name', 'samples', 'ops/s', 'mean', 'p50', 'p99', 'rme', 'ratio'],
    result.micro.map((m) => [
      cell.text(m.name),
      cell.count(m.samples),
      cell.perSecond(m.opsPerSecond),
      cell.latencyUs(m.meanUs),
      cell.latencyUs(m.p50Us),
      cell.latencyUs(m.p99Us),
      cell.percent(m.rmePercent),
      cell.plain(m.ratio),
    ]),
  );
}

function httpTable(result: RunResult): SafeHtml {
  const base = result.httpBaseline;
  if (base === null) return html``;
  const l = base.latencyMs;
  return figuresTable(
    'http',
    'HTTP baseline (1 ms resolution)',
    [
      'connections',
      'duration',
      'requests',
      'requests/s',
      'mean',
      'p50',
      'p90',
      'p99',
      'max',
      'errors',
      'non-2xx',
    ],
    [
      [cell.count(base.connections), cell.durationMs(base.durationMs), cell.count(base.requests)]
        .concat([cell.perSecond(base.requestsPerSecond), cell.wholeMs(l.mean), cell.wholeMs(l.p50)])
        .concat([cell.wholeMs(l.p90), cell.wholeMs(l.p99), cell.wholeMs(l.max)])
        .concat([cell.count(base.errors), cell.count(base.non2xx)]),
    ],
  );
}

function thresholdsTable(result: RunResult): SafeHtml {
  return figuresTable(
    'thresholds',
    "Thresholds (actual in the metric's unit: µs for latencies)",
    ['expression', 'metric', 'phase', 'actual', 'passed'],
    result.thresholds.map((t) => [
      cell.text(t.expression),
      cell.text(t.metric),
      cell.text(t.phase ?? 'every phase'),
      t.metric.endsWith('Us') ? cell.latencyUs(t.actual) : cell.plain(t.actual),
      cell.flag(t.passed),
    ]),
  );
}

function runTable(result: RunResult): SafeHtml {
  const env = result.environment;
  const fields = ['started', 'finished', 'partial', 'RSS at start', 'RSS at end', 'node', 'platform'].concat([
    'arch',
    'CPU',
    'cores',
    'memory',
    'git commit',
  ]);
  const values = [cell.text(result.startedAt), cell.text(result.finishedAt), cell.flag(result.partial)]
    .concat([cell.bytes(result.memory.rssStartBytes), cell.bytes(result.memory.rssEndBytes)])
    .concat([cell.text(env.node), cell.text(env.platform), cell.text(env.arch), cell.text(env.cpuModel)])
    .concat([cell.count(env.cores), cell.bytes(env.totalMemoryBytes), cell.text(env.gitCommit)]);
  return figuresTable('run', 'Run', ['field', 'value'], transpose(fields, [values]));
}

function timelineTable(result: RunResult): SafeHtml {
  const rows = result.phases.flatMap((phase) =>
    phase.timeline.map((p): Cell[] => {
      const us = (value: number) => cell.latencyUs(p.calls - p.errors > 0 ? value : null);
      return [cell.text(phase.label), cell.durationMs(p.startMs), cell.durationMs(p.durationMs)].concat([
        cell.count(p.calls),
        cell.count(p.errors),
        us(p.p50Us),
        us(p.p99Us),
        us(p.maxUs),
      ]);
    }),
  );
  if (rows.length === 0) return html``;
  return html`<details class="timeline-figures">
    <summary>Timeline, interval by interval (${rows.length} rows)</summary>
    ${figuresTable('timeline', 'Timeline', ['phase', 'from', 'length', 'calls', 'errors', 'p50', 'p99', 'max'], rows)}
  </details>`;
}

/**
 * Every figure of the run in plain tables, rounded and with units; each number's exact value as
 * the result file holds it is in the cell's `data-value`.
 */
export function renderFigures(result: RunResult, runIndex: number): SafeHtml {
  return html`<section class="block figures-block" data-run="${runIndex}">
  <h3>All figures</h3>
  <p class="muted">Rounded, with units; the exact value of each number is in its cell's <code>data-value</code>
    and in the result file. <code>${NO_FIGURE}</code>: not measured, or not held by a result written before that figure existed.</p>
  ${phasesTable(result)}
  ${percentilesTable(result)}
  ${errorsTable(result)}
  ${serversTable(result)}
  ${fairnessTable(result)}
  ${microTable(result)}
  ${httpTable(result)}
  ${thresholdsTable(result)}
  ${runTable(result)}
  ${timelineTable(result)}
  <details class="scenario-config">
    <summary>Scenario configuration (defaults applied)</summary>
    <pre><code>${JSON.stringify(result.scenario.config, null, 2)}</code></pre>
  </details>
</section>`;
}
