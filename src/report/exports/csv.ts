import type { RunResult } from '../../result/result-schema.ts';
import { secondsToMs } from '../../util/units.ts';

type Cell = string | number | boolean | null;

/** The columns every row starts with; the interval's own figures follow, named as in the result. */
const LEADING_COLUMNS = ['scenario', 'phase', 'intervalStartMs', 'intervalMs'] as const;

/**
 * The timelines of the runs as CSV (RFC 4180): one row per interval and phase. An interval's
 * start and length come from its `startMs`/`durationMs` fields, or from `second` for timelines
 * kept in whole seconds; every other numeric field of the entries becomes a column (`calls`,
 * `errors`, `p99Us`, ...), and a record of numbers one column per key (`errorsByCode.ERR_X`).
 */
export function renderTimelineCsv(results: readonly RunResult[]): string {
  const rows: Record<string, Cell>[] = [];
  const columns = new Set<string>(LEADING_COLUMNS);
  for (const result of results) {
    for (const phase of result.phases) {
      for (const entry of phase.timeline as readonly Record<string, unknown>[]) {
        const row: Record<string, Cell> = {
          scenario: result.scenario.name,
          phase: phase.label,
          ...intervalOf(entry),
        };
        for (const [key, value] of Object.entries(entry)) {
          // The interval's encoded histogram is for HdrHistogram readers, not a spreadsheet cell.
          if (key === 'second' || key === 'startMs' || key === 'durationMs' || key === 'encoded') continue;
          for (const [column, cell] of flatten(key, value)) {
            row[column] = cell;
            columns.add(column);
          }
        }
        rows.push(row);
      }
    }
  }
  const header = [...columns];
  const lines = [header, ...rows.map((row) => header.map((column) => row[column] ?? ''))];
  return `${lines.map((line) => line.map(csvField).join(',')).join('\r\n')}\r\n`;
}

function intervalOf(entry: Record<string, unknown>): { intervalStartMs: Cell; intervalMs: Cell } {
  if (typeof entry.startMs === 'number') {
    return {
      intervalStartMs: entry.startMs,
      intervalMs: typeof entry.durationMs === 'number' ? entry.durationMs : null,
    };
  }
  if (typeof entry.second === 'number') {
    return { intervalStartMs: secondsToMs(entry.second), intervalMs: secondsToMs(1) };
  }
  return { intervalStartMs: null, intervalMs: null };
}

function flatten(key: string, value: unknown): [string, Cell][] {
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean')
    return [[key, value]];
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    return Object.entries(value).flatMap(([inner, innerValue]) => flatten(`${key}.${inner}`, innerValue));
  }
  return [];
}

/**
 * Quoted when it holds a comma, quote or line break; a text cell a spreadsheet would run as a
 * formula (=, +, -, @ first) gets a leading apostrophe, as OWASP advises for CSV exports.
 */
function csvField(cell: Cell | string): string {
  if (cell === null) return '';
  let text = String(cell);
  if (typeof cell === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
