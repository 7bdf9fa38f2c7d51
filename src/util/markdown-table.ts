/**
 * A GitHub-flavoured Markdown table; pipes inside cells are escaped and line breaks become
 * spaces, so that a cell never ends its row. The gate's and the bench run's summaries share it.
 */
export function renderMarkdownTable(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
): string {
  const escapeCell = (cell: string): string => cell.replaceAll('|', '\\|').replace(/\r?\n/g, ' ');
  const line = (values: readonly string[]): string => `| ${values.map(escapeCell).join(' | ')} |`;
  return [line(headers), line(headers.map(() => '---')), ...rows.map(line)].join('\n');
}
