import { renderMarkdownTable as renderTable } from '../util/markdown-table.ts';
import type { PerformanceRow } from './compare.ts';
import type { CorrectnessOutcome } from './correctness.ts';
import type { GateMetricName } from './samples.ts';
import type { MetricComparison } from './verdict.ts';

/** One line of the gate's table, as text: the terminal and the Markdown summary print the same. */
export interface TableRow {
  metric: string;
  baseline: string;
  now: string;
  ratio: string;
  interval: string;
  verdict: string;
  failed: boolean;
}

const HEADERS = ['metric', 'baseline', 'now', 'ratio', 'CI', 'verdict'] as const;
const NONE = '–';

const METRIC_LABELS: Record<GateMetricName, string> = {
  cost: 'CPU per call ÷ reference (lower is better)',
  throughput: 'calls/s ÷ reference (higher is better)',
};

const CHECK_LABELS: Record<CorrectnessOutcome['check'], string> = {
  'roundrobin-fairness': 'round-robin fairness',
  'broadcast-reach': 'broadcast reaches every server',
  'no-lost-calls': 'no lost calls',
  threshold: 'threshold',
  'complete-run': 'run completed',
  'call-errors': 'calls answered without error',
  'server-counts': 'servers counted the calls',
};

export function performanceTableRow(row: PerformanceRow): TableRow {
  return comparisonTableRow(`${row.scenario} › ${row.phase} › ${METRIC_LABELS[row.metric]}`, row);
}

/** A row of one comparison against its limit: the stored baseline's, or the other build's in a duet. */
export function comparisonTableRow(
  metric: string,
  row: { comparison: MetricComparison; maxSlowdown: number; samples: { baseline: number; now: number } },
): TableRow {
  const c = row.comparison;
  const percent = (fraction: number): string => `${Math.abs(fraction * 100).toFixed(1)} %`;
  const limit = percent(row.maxSlowdown);
  let verdict: string;
  switch (c.verdict) {
    case 'regression':
      verdict = `REGRESSION: ${percent(c.slowdown)} slower, limit ${limit}`;
      break;
    case 'slower':
      verdict = `ok: ${percent(c.slowdown)} slower, within ${limit}`;
      break;
    case 'faster':
      verdict = `ok: ${percent(c.slowdown)} faster`;
      break;
    case 'unsure':
      verdict = `unsure: ${percent(c.slowdown)} ${c.slowdown >= 0 ? 'slower' : 'faster'}, limit ${limit}`;
      break;
    default:
      verdict = 'ok';
  }
  return {
    metric,
    baseline: `${c.baselineMedian.toPrecision(4)} (n=${row.samples.baseline})`,
    now: `${c.nowMedian.toPrecision(4)} (n=${row.samples.now})`,
    ratio: c.ratio.toFixed(3),
    interval: `${c.ratioLow.toFixed(3)}–${c.ratioHigh.toFixed(3)}`,
    verdict,
    failed: c.verdict === 'regression',
  };
}

export function correctnessTableRow(outcome: CorrectnessOutcome): TableRow {
  const where = outcome.phase === null ? outcome.scenario : `${outcome.scenario} › ${outcome.phase}`;
  return {
    metric: `${where} › ${CHECK_LABELS[outcome.check]}`,
    baseline: outcome.expected,
    now: outcome.actual,
    ratio: NONE,
    interval: NONE,
    verdict: outcome.passed ? 'ok' : 'FAIL',
    failed: !outcome.passed,
  };
}

function cells(row: TableRow): string[] {
  return [row.metric, row.baseline, row.now, row.ratio, row.interval, row.verdict];
}

/** A plain table aligned in columns, for the terminal. */
export function renderTextTable(rows: readonly TableRow[]): string {
  const lines = [[...HEADERS], ...rows.map(cells)];
  const widths = HEADERS.map((_, column) => Math.max(...lines.map((line) => line[column]!.length)));
  const format = (line: string[]): string =>
    line
      .map((cell, column) => cell.padEnd(widths[column]!))
      .join('  ')
      .trimEnd();
  return [
    format(lines[0]!),
    widths.map((width) => '-'.repeat(width)).join('  '),
    ...lines.slice(1).map(format),
  ].join('\n');
}

/** The gate's rows as a GitHub-flavoured Markdown table. */
export function renderMarkdownTable(rows: readonly TableRow[]): string {
  return renderTable(HEADERS, rows.map(cells));
}
