import { usToMs } from '../../util/units.ts';
import { CASE_LABELS } from './cases.ts';
import type { CoreBenchResult } from './run-core-bench.ts';
import type { TargetOutcome } from './targets.ts';

const count = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** The figures as a person reads them: one row per case, then one line per target. */
export function formatCoreBench(result: CoreBenchResult): string {
  const { settings, loadAverage } = result;
  const lines = [
    `Bench.Echo, ${settings.payloadBytes}-byte payload, one connection, loopback, servers in a worker thread`,
    `${settings.durationMs / 1000} s per run after ${settings.warmupMs / 1000} s warm-up, ` +
      `${settings.rounds} round${settings.rounds === 1 ? '' : 's'} interleaved, median shown, targets from each round's ratio; ` +
      `load average ${loadAverage.start.toFixed(2)} → ${loadAverage.end.toFixed(2)} ` +
      `on ${result.environment.cores} cores (${result.environment.node})`,
    '',
  ];
  const header = [
    'case',
    'in flight',
    'calls/s',
    'p50 ms',
    'p99 ms',
    'CPU µs/call',
    'errors',
    'calls/s per round',
  ];
  const rows = result.cases.map((c) => [
    CASE_LABELS[c.kind],
    String(c.inFlight),
    count.format(c.callsPerSecond),
    usToMs(c.p50Us).toFixed(3),
    usToMs(c.p99Us).toFixed(3),
    c.cpuUsPerCall.toFixed(2),
    String(c.errors),
    c.runs.map((run) => count.format(run.callsPerSecond)).join('  '),
  ]);
  lines.push(...alignColumns([header, ...rows], [false, true, true, true, true, true, true, false]));
  lines.push(
    'CPU µs/call: CPU time of the whole process (client, server thread, GC) per call; it moves less',
    'than calls/s with what else the machine is running: compare it within one run. Against the Go',
    'server (another process, sent a 100-character string) it is the client process alone.',
  );
  const raw64 = result.cases.find((c) => c.kind === 'raw' && c.inFlight === 64);
  if (raw64 !== undefined && raw64.callsPerSecond > 0) {
    lines.push('', 'Share of the raw echo at 64 in flight:');
    for (const c of result.cases) {
      if (c.inFlight !== 64 || c === raw64) continue;
      const share = (100 * c.callsPerSecond) / raw64.callsPerSecond;
      lines.push(`  ${CASE_LABELS[c.kind].padEnd(18)} ${share.toFixed(1).padStart(5)} %`);
    }
  }
  const firstErrors = result.cases.flatMap((c) =>
    c.runs.filter((run) => run.firstError !== undefined).map((run) => `  ${c.id}: ${run.firstError}`),
  );
  if (firstErrors.length > 0) lines.push('', 'Errors:', ...new Set(firstErrors));
  lines.push('', 'Targets (one connection, 64 in flight):');
  for (const target of result.targets) lines.push(`  ${formatTarget(target)}`);
  return lines.join('\n');
}

function formatTarget(target: TargetOutcome): string {
  const verdict = target.passed === null ? 'N/A ' : target.passed ? 'PASS' : 'MISS';
  return `${verdict}  ${target.expression.padEnd(40)} measured ${formatActual(target)}`;
}

function formatActual(target: TargetOutcome): string {
  if (target.actual === null) return '(case not run)';
  if (target.unit === 'ms') return `${target.actual.toFixed(3)} ms`;
  const measured = formatRatio(target.actual, target.unit);
  const ratios = target.roundRatios;
  if (ratios.length < 2) return measured;
  const low = formatRatio(Math.min(...ratios), target.unit);
  return `${measured} (median of ${ratios.length} rounds, lowest ${low})`;
}

function formatRatio(ratio: number, unit: 'x' | '%'): string {
  return unit === 'x' ? `${ratio.toFixed(ratio < 10 ? 2 : 1)}×` : `${(ratio * 100).toFixed(1)} %`;
}

function alignColumns(table: string[][], alignRight: boolean[]): string[] {
  const widths = table[0]!.map((_, column) => Math.max(...table.map((row) => row[column]!.length)));
  return table.map((row) =>
    row
      .map((cell, column) =>
        alignRight[column] ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!),
      )
      .join('  ')
      .trimEnd(),
  );
}
