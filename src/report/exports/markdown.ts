import type { RunResult } from '../../result/result-schema.ts';
import { escapeHtml } from '../../util/escape-html.ts';
import { renderMarkdownTable } from '../../util/markdown-table.ts';
import { formatMetric, phaseTable, serverTable } from '../text-summary.ts';

/**
 * The runs as Markdown, for a CI job's summary ($GITHUB_STEP_SUMMARY) or a pull request: per
 * scenario, its outcome as the heading, the phase and server tables of the text summary, and
 * each threshold with its measured value.
 */
export function renderRunMarkdown(results: readonly RunResult[]): string {
  return results.map(renderOne).join('\n');
}

function renderOne(result: RunResult): string {
  const failed = result.thresholds.filter((outcome) => !outcome.passed).length;
  const outcome =
    result.thresholds.length === 0
      ? 'no thresholds'
      : failed === 0
        ? `pass (${result.thresholds.length} thresholds)`
        : `FAIL (${failed} of ${result.thresholds.length} thresholds failed)`;
  const parts = [`## rpcbench ${escapeHtml(result.scenario.name)}: ${outcome}`];
  if (result.scenario.description) parts.push(escapeHtml(result.scenario.description));
  if (result.partial) parts.push('**Partial run: interrupted; the figures cover only what ran.**');
  const phases = phaseTable(result);
  const servers = serverTable(result);
  parts.push(table(phases.header, phases.rows), table(servers.header, servers.rows));
  if (result.thresholds.length > 0) {
    parts.push(
      table(
        ['threshold', 'phase', 'measured', 'result'],
        result.thresholds.map((outcome) => [
          outcome.expression,
          outcome.phase ?? 'every phase',
          formatMetric(outcome.metric, outcome.actual),
          outcome.passed ? 'pass' : 'FAIL',
        ]),
      ),
    );
  }
  parts.push(
    `<sub>${escapeHtml(result.scenario.file)}, started ${result.startedAt}, Node ${result.environment.node}, ` +
      `${result.environment.cores} cores</sub>`,
  );
  return `${parts.join('\n\n')}\n`;
}

/** Names and descriptions come from scenario files: as text, never as markup in the rendered page. */
function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return renderMarkdownTable(
    header.map(escapeHtml),
    rows.map((row) => row.map(escapeHtml)),
  );
}
