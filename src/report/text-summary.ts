import { latencyAtPercentile, percentileLabel, summaryPercentiles } from '../result/percentile.ts';
import { phaseCounts } from '../result/phase-counts.ts';
import type {
  HistogramRecord,
  PhaseAgentFigures,
  PhaseResult,
  RunResult,
  StoppedIn,
  ThresholdOutcome,
} from '../result/result-schema.ts';
import { startSkewMs } from '../result/start-skew.ts';
import { escapeTerminal } from '../util/escape-terminal.ts';
import { formatCount, formatLatencyUs, formatPercent } from '../util/format.ts';
import { NO_FIGURE, showsFairness } from './figures/shown-figures.ts';
import { describeSearch, SEARCH_STEP_COLUMNS, searchStepRows } from './search-summary.ts';

/** A threshold's measured value in the unit it was written in. */
export function formatMetric(metric: string, value: number | null): string {
  if (value === null) return 'n/a';
  if (metric.endsWith('Us')) return formatLatencyUs(value);
  if (metric === 'errorPercent') return `${value.toFixed(3)}%`;
  if (metric === 'callsPerSecond' || metric === 'errorCount') return formatCount(value);
  return value.toFixed(4);
}

/** `FAIL roundrobin: p99 < 5ms (measured 7.21ms)` */
export function describeThreshold(outcome: ThresholdOutcome): string {
  const scope = outcome.phase === null || outcome.expression.includes(':') ? '' : `${outcome.phase}: `;
  return `${outcome.passed ? 'PASS' : 'FAIL'}  ${scope}${outcome.expression} (measured ${formatMetric(outcome.metric, outcome.actual)})`;
}

/** A latency, or NO_FIGURE when the histogram is empty (never `0.0 µs` for "nothing measured"). */
function latencyCell(latency: HistogramRecord, percentile: number): string {
  const value = latencyAtPercentile(latency, percentile);
  return value === null ? NO_FIGURE : formatLatencyUs(value);
}

function maxCell(latency: HistogramRecord): string {
  return latency.summary.count === 0 ? NO_FIGURE : formatLatencyUs(latency.summary.maxUs);
}

/** One line per phase, for logs and terminals without a progress bar. */
export function describePhase(phase: PhaseResult): string {
  const counts = phaseCounts(phase);
  const jain = showsFairness(phase) ? `, jain ${phase.fairness!.jain.toFixed(4)}` : '';
  const search = phase.search === undefined ? '' : `; capacity search: ${describeSearch(phase.search)}`;
  const dropped = counts.dropped === 0 ? '' : `, dropped ${formatCount(counts.dropped)}`;
  const offered = counts.dropped === 0 ? '' : ` (offered ${formatCount(counts.offeredPerSecond)} calls/s)`;
  return (
    `${phase.label}: ${formatCount(counts.achievedPerSecond)} calls/s${offered}, ok ${formatCount(counts.ok)}, ` +
    `errors ${formatCount(counts.failed)}${dropped}, p50 ${latencyCell(phase.latency, 50)}, ` +
    `p99 ${latencyCell(phase.latency, 99)}${jain}${search}`
  );
}

export interface TextTable {
  header: string[];
  rows: string[][];
}

/**
 * One row per phase: the achieved rate (calls completed per second) beside the offered one, ok,
 * the scenario's percentiles of the ok calls, errors by code, dropped calls and fairness.
 */
export function phaseTable(result: RunResult): TextTable {
  const percentiles = summaryPercentiles(result.scenario.config);
  return {
    header: [
      'phase',
      'calls/s',
      'offered/s',
      'ok',
      ...percentiles.map(percentileLabel),
      'max',
      'errors',
      'dropped',
      'jain',
      'χ² p',
    ],
    rows: result.phases.map((phase) => {
      const counts = phaseCounts(phase);
      return [
        phase.label,
        formatCount(counts.achievedPerSecond),
        formatCount(counts.offeredPerSecond),
        formatCount(counts.ok),
        ...percentiles.map((percentile) => latencyCell(phase.latency, percentile)),
        maxCell(phase.latency),
        counts.failed === 0 ? '0' : `${formatCount(counts.failed)} ${errorCodes(counts.failedByCode)}`,
        formatCount(counts.dropped),
        showsFairness(phase) ? phase.fairness!.jain.toFixed(4) : NO_FIGURE,
        showsFairness(phase) ? phase.fairness!.pValue.toFixed(3) : NO_FIGURE,
      ];
    }),
  };
}

/**
 * What the latency columns hold, and the failed calls that had a reply: their latency is kept
 * apart (`failedLatency`), so that fast refusals do not flatter the percentiles.
 */
export function latencyNotes(result: RunResult): string[] {
  const lines = ['latency: of ok calls, measured from the intended start in the open model'];
  for (const phase of result.phases) {
    const failed = phase.failedLatency;
    if (failed === undefined || failed.summary.count === 0) continue;
    lines.push(
      `${phase.label}: ${formatCount(failed.summary.count)} failed calls had a reply (ERR_REMOTE, ERR_CHECK): ` +
        `p50 ${latencyCell(failed, 50)}, p99 ${latencyCell(failed, 99)}, max ${maxCell(failed)}`,
    );
  }
  return lines;
}

/** The phases in which not one call succeeded: such a run has measured nothing it set out to. */
export function phasesWithoutSuccess(result: RunResult): PhaseResult[] {
  return result.phases.filter((phase) => phaseCounts(phase).ok === 0);
}

/** One row per server of each phase: its share against the expected one, both counts, its errors, its p99. */
export function serverTable(result: RunResult): TextTable {
  return {
    header: [
      'phase',
      'server',
      'weight',
      'share',
      'expected',
      'client count',
      'errors',
      'server count',
      'p99',
    ],
    rows: result.phases.flatMap((phase) =>
      phase.servers.map((server) => [
        phase.label,
        escapeTerminal(server.address),
        String(server.weight),
        formatPercent(server.share),
        formatPercent(server.expectedShare),
        formatCount(server.clientCount),
        formatCount(server.errors),
        server.serverCount === null ? '-' : formatCount(server.serverCount),
        latencyCell(server.latency, 99),
      ]),
    ),
  };
}

/**
 * One load host's share of a phase, split as a phase's is: achieved and offered rates, ok, errors,
 * dropped, p99 and how late it started. Hosts of older versions sent no split: their errors then
 * include the dropped calls, as they counted them.
 */
export function describeAgent(agent: PhaseAgentFigures): string {
  const skewMs = startSkewMs(agent);
  const dropped = agent.dropped ?? 0;
  const offered = dropped === 0 ? '' : ` (offered ${formatCount(agent.offeredPerSecond ?? 0)} calls/s)`;
  const ok = agent.ok ?? agent.calls - agent.errors;
  return (
    `${escapeTerminal(agent.name)} (${escapeTerminal(agent.host)}, ${agent.cores} cores, ${agent.threads} threads): ` +
    `${formatCount(agent.callsPerSecond)} calls/s${offered}, ok ${formatCount(ok)}, ` +
    `errors ${formatCount(agent.errors - dropped)}${dropped === 0 ? '' : `, dropped ${formatCount(dropped)}`}, ` +
    `p99 ${latencyCell(agent.latency, 99)}, start skew ≤ ${skewMs.toFixed(0)} ms${agent.stopped ? ', stopped early' : ''}`
  );
}

/** Where an interrupted run stopped, and so what its figures cover. */
export function describeStop(stoppedIn: StoppedIn, phases: readonly PhaseResult[]): string {
  const phase = escapeTerminal(stoppedIn.phase ?? '');
  switch (stoppedIn.stage) {
    case 'start':
      return 'interrupted before the first phase started: nothing was measured';
    case 'warm-up':
      return `interrupted in the warm-up of ${phase}: nothing of it was measured${phases.length === 0 ? ' (no phase measured)' : ''}`;
    case 'measure': {
      const last = phases.at(-1);
      const measured = last?.interrupted === true ? ` (${(last.durationMs / 1000).toFixed(1)} s)` : '';
      return `interrupted while measuring ${phase}: its figures cover the time measured until then${measured}`;
    }
    case 'between phases':
      return 'interrupted between phases: the phases below ran in full';
    case 'extras':
      return 'interrupted after the phases, in the micro-benchmarks or the HTTP baseline';
  }
}

/** The summary printed at the end of a run: phases, server shares, extras and thresholds. */
export function formatSummary(result: RunResult): string {
  const lines = headingLines(result);
  lines.push('');
  const phases = phaseTable(result);
  lines.push(table(phases.header, phases.rows));
  lines.push(...latencyNotes(result));
  for (const phase of phasesWithoutSuccess(result)) {
    lines.push(`${phase.label}: NO CALL SUCCEEDED (${formatCount(phase.calls)} offered)`);
  }
  lines.push('');
  const servers = serverTable(result);
  lines.push(table(servers.header, servers.rows, 2));
  for (const phase of result.phases) lines.push(...phaseNotes(phase));
  for (const phase of result.phases) lines.push(...searchLines(phase));
  lines.push(...extrasLines(result));
  if (result.thresholds.length > 0) {
    lines.push('', 'thresholds:');
    for (const outcome of result.thresholds) lines.push(`  ${describeThreshold(outcome)}`);
  }
  lines.push(
    '',
    `memory: RSS ${formatMegabytes(result.memory.rssStartBytes)} at start, ${formatMegabytes(result.memory.rssEndBytes)} at end`,
  );
  return lines.join('\n');
}

/** The run's name and file, where it stopped, its load hosts and its description. */
function headingLines(result: RunResult): string[] {
  const lines: string[] = [];
  const partial = result.partial ? ' [PARTIAL: interrupted]' : '';
  // A scenario made from flags has no file: its `file` already reads `(command line)`.
  const file = result.scenario.file.startsWith('(') ? result.scenario.file : `(${result.scenario.file})`;
  lines.push(`${result.scenario.name} ${file}${partial}`);
  if (result.stoppedIn !== undefined) lines.push(describeStop(result.stoppedIn, result.phases));
  if (result.agents !== undefined) {
    const lost =
      result.agents.lost.length === 0
        ? ''
        : `; lost mid-run: ${escapeTerminal(result.agents.lost.join(', '))}`;
    lines.push(
      `load from ${escapeTerminal(result.agents.hosts.map((host) => host.name).join(', '))} (etcd ${result.agents.etcd.join(',')})${lost}`,
    );
  }
  if (result.scenario.description) lines.push(result.scenario.description);
  return lines;
}

/** Under the server table, for one phase: where its counts came from, who joined or left, its hosts and errors. */
function phaseNotes(phase: PhaseResult): string[] {
  const lines: string[] = [];
  if (phase.countsFrom === 'clients') {
    const read = phase.servers.filter((server) => server.serverCount !== null).length;
    lines.push(
      read === 0
        ? `${phase.label}: client-side counts only (no server's debug page could be read: shares and fairness are as the clients counted)`
        : `${phase.label}: shares and fairness as the clients counted (server-side counts read for ${read} of ${phase.servers.length} servers)`,
    );
  }
  for (const change of phase.membership ?? []) {
    lines.push(
      `${phase.label}: ${escapeTerminal(change.address)} ${change.change} at ${(change.atMs / 1000).toFixed(1)} s`,
    );
  }
  for (const agent of phase.agents ?? []) lines.push(`${phase.label}: ${describeAgent(agent)}`);
  for (const [code, message] of Object.entries(phase.errorSamples ?? {})) {
    lines.push(`${phase.label}: ${escapeTerminal(code)} e.g. ${escapeTerminal(message)}`);
  }
  return lines;
}

/** A capacity search's outcome and its steps, indented under it; none for a phase that was not a search. */
function searchLines(phase: PhaseResult): string[] {
  if (phase.search === undefined) return [];
  const verdictColumn = SEARCH_STEP_COLUMNS.length - 1;
  return [
    '',
    `capacity search, ${phase.label}: ${describeSearch(phase.search)}`,
    table(SEARCH_STEP_COLUMNS, searchStepRows(phase.search), [0, 1, verdictColumn]).replace(/^/gm, '  '),
  ];
}

/** The micro-benchmarks and the HTTP baseline, when the run had them. */
function extrasLines(result: RunResult): string[] {
  const lines: string[] = [];
  if (result.micro.length > 0) {
    lines.push('', 'micro-benchmarks (tinybench, one call at a time):');
    for (const bench of result.micro) {
      const ratio =
        bench.ratio === undefined || bench.ratio === 1 ? '' : `, ×${bench.ratio.toFixed(1)} the cached call`;
      lines.push(
        `  ${bench.name}: ${formatCount(bench.opsPerSecond)} ops/s, mean ${formatLatencyUs(bench.meanUs)}, ` +
          `p99 ${formatLatencyUs(bench.p99Us)} ±${bench.rmePercent.toFixed(1)}%${ratio}`,
      );
    }
  }
  const http = result.httpBaseline;
  if (http !== null) {
    lines.push(
      '',
      `HTTP baseline (autocannon, ${http.connections} connections, ${http.resolutionMs} ms resolution): ` +
        `${formatCount(http.requestsPerSecond)} req/s, p50 ${http.latencyMs.p50}ms, p90 ${http.latencyMs.p90}ms, ` +
        `p99 ${http.latencyMs.p99}ms, errors ${http.errors + http.non2xx}`,
    );
  }
  return lines;
}

function errorCodes(byCode: Record<string, number>): string {
  const codes = Object.entries(byCode)
    .sort((a, b) => b[1] - a[1])
    .map(([code, count]) => `${code}×${formatCount(count)}`);
  return `(${codes.join(', ')})`;
}

function formatMegabytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** Text columns (the first `textColumns`, or those listed) align left, figures right. */
function table(header: string[], rows: string[][], textColumns: number | readonly number[] = 1): string {
  const isText = (column: number) =>
    typeof textColumns === 'number' ? column < textColumns : textColumns.includes(column);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column]!.length)),
  );
  const render = (cells: string[]) =>
    cells
      .map((cell, column) => (isText(column) ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!)))
      .join('  ')
      .trimEnd();
  return [render(header), ...rows.map(render)].join('\n');
}
