import { renderMarkdownTable, type TableRow } from './table.ts';

export interface GateSummary {
  passed: boolean;
  rows: readonly TableRow[];
  /** Lines under the table: how the figures were taken. */
  notes: readonly string[];
}

/** The one-line outcome printed above the table and as the summary's heading. */
export function outcomeLine(summary: GateSummary): string {
  const failed = summary.rows.filter((row) => row.failed).length;
  return summary.passed
    ? `Regression gate: pass (${summary.rows.length} checks)`
    : `Regression gate: FAIL (${failed} of ${summary.rows.length} checks failed)`;
}

/** The Markdown written to $GITHUB_STEP_SUMMARY. */
export function renderGateMarkdown(summary: GateSummary): string {
  const notes = summary.notes.map((note) => `- ${note}`).join('\n');
  return `## ${outcomeLine(summary)}\n\n${renderMarkdownTable(summary.rows)}\n\n${notes}\n`;
}
