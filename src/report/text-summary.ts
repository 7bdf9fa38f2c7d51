import type { PhaseAgentFigures, PhaseResult, RunResult, ThresholdOutcome } from '../result/result-schema.ts';
import { formatCount, formatLatencyUs, formatPercent } from '../util/format.ts';

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

/** One line per phase, for logs and terminals without a progress bar. */
export function describePhase(phase: PhaseResult): string {
  const { summary } = phase.latency;
  const jain = phase.fairness === null ? '' : `, jain ${phase.fairness.jain.toFixed(4)}`;
  return (
    `${phase.label}: ${formatCount(phase.calls)} calls, ${formatCount(phase.callsPerSecond)} calls/s, ` +
    `p50 ${formatLatencyUs(summary.p50Us)}, p99 ${formatLatencyUs(summary.p99Us)}, errors ${formatCount(phase.errors)}${jain}`
  );
}

/**
 * How far from the planned instant a host started, on the coordinator's clock: it waited for the
 * instant on its own clock (off by its clock offset), or started at once when it heard the go late.
 */
export function startSkewMs(agent: PhaseAgentFigures): number {
  const lateMs = Math.max(0, agent.goHeardAtEpochMs - agent.startAtEpochMs);
  return Math.abs(lateMs + agent.clockOffsetMs);
}

/** One load host's share of a phase: its calls, rate, p99 and how late it started. */
export function describeAgent(agent: PhaseAgentFigures): string {
  const skewMs = startSkewMs(agent);
  return (
    `${agent.name} (${agent.host}, ${agent.cores} cores, ${agent.threads} threads): ${formatCount(agent.calls)} calls, ` +
    `${formatCount(agent.callsPerSecond)} calls/s, p99 ${formatLatencyUs(agent.latency.summary.p99Us)}, ` +
    `errors ${formatCount(agent.errors)}, start skew ≤ ${skewMs.toFixed(0)} ms${agent.stopped ? ', stopped early' : ''}`
  );
}

/** The summary printed at the end of a run: phases, server shares, extras and thresholds. */
export function formatSummary(result: RunResult): string {
  const lines: string[] = [];
  const partial = result.partial ? ' [PARTIAL: interrupted]' : '';
  lines.push(`${result.scenario.name} (${result.scenario.file})${partial}`);
  if (result.agents !== undefined) {
    const lost = result.agents.lost.length === 0 ? '' : `; lost mid-run: ${result.agents.lost.join(', ')}`;
    lines.push(
      `load from ${result.agents.hosts.map((host) => host.name).join(', ')} (etcd ${result.agents.etcd.join(',')})${lost}`,
    );
  }
  if (result.scenario.description) lines.push(result.scenario.description);
  lines.push('');
  lines.push(
    table(
      ['phase', 'calls', 'calls/s', 'p50', 'p90', 'p99', 'p99.9', 'max', 'errors', 'jain', 'χ² p'],
      result.phases.map((phase) => {
        const s = phase.latency.summary;
        return [
          phase.label,
          formatCount(phase.calls),
          formatCount(phase.callsPerSecond),
          formatLatencyUs(s.p50Us),
          formatLatencyUs(s.p90Us),
          formatLatencyUs(s.p99Us),
          formatLatencyUs(s.p999Us),
          formatLatencyUs(s.maxUs),
          phase.errors === 0 ? '0' : `${formatCount(phase.errors)} ${errorCodes(phase)}`,
          phase.fairness === null ? '-' : phase.fairness.jain.toFixed(4),
          phase.fairness === null ? '-' : phase.fairness.pValue.toFixed(3),
        ];
      }),
    ),
  );
  lines.push('');
  lines.push(
    table(
      ['phase', 'server', 'weight', 'share', 'expected', 'client count', 'server count', 'p99'],
      result.phases.flatMap((phase) =>
        phase.servers.map((server) => [
          phase.label,
          server.address,
          String(server.weight),
          formatPercent(server.share),
          formatPercent(server.expectedShare),
          formatCount(server.clientCount),
          server.serverCount === null ? '-' : formatCount(server.serverCount),
          formatLatencyUs(server.latency.summary.p99Us),
        ]),
      ),
      2,
    ),
  );
  for (const phase of result.phases) {
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
        `${phase.label}: ${change.address} ${change.change} at ${(change.atMs / 1000).toFixed(1)} s`,
      );
    }
    for (const agent of phase.agents ?? []) lines.push(`${phase.label}: ${describeAgent(agent)}`);
    for (const [code, message] of Object.entries(phase.errorSamples ?? {})) {
      lines.push(`${phase.label}: ${code} e.g. ${message}`);
    }
  }
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

function errorCodes(phase: PhaseResult): string {
  const codes = Object.entries(phase.errorsByCode)
    .sort((a, b) => b[1] - a[1])
    .map(([code, count]) => `${code}×${formatCount(count)}`);
  return `(${codes.join(', ')})`;
}

function formatMegabytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** Text columns (the first `textColumns`) align left, figures right. */
function table(header: string[], rows: string[][], textColumns = 1): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column]!.length)),
  );
  const render = (cells: string[]) =>
    cells
      .map((cell, column) =>
        column < textColumns ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!),
      )
      .join('  ');
  return [render(header), ...rows.map(render)].join('\n');
}
