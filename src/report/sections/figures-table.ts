import {
  formatBytes,
  formatCount,
  formatDurationMs,
  formatLatencyUs,
  formatPercent,
  formatRate,
  formatStat,
  formatWholeMs,
} from '../../util/format.ts';
import { NO_FIGURE } from '../figures/shown-figures.ts';
import { html, type SafeHtml } from '../page/html.ts';

/**
 * One cell of an "All figures" table: the text a person reads (rounded, with its unit) and, for a
 * number, the exact value of the result file, kept in `data-value` for whoever needs every digit.
 */
export interface Cell {
  text: string;
  value?: number;
}

const numeric = (value: number, format: (value: number) => string): Cell => ({
  text: format(value),
  value,
});

/** A figure the result does not hold (an older file, an empty histogram): `–`, never a made-up 0. */
type Maybe = number | null | undefined;
const orMissing = (value: Maybe, format: (value: number) => string): Cell =>
  value === null || value === undefined || Number.isNaN(value) ? { text: NO_FIGURE } : numeric(value, format);

/** The cell kinds of the figures tables, each with its unit. */
export const cell = {
  text: (value: string | null | undefined): Cell => ({ text: value ?? NO_FIGURE }),
  flag: (value: boolean | undefined): Cell => ({
    text: value === undefined ? NO_FIGURE : value ? 'yes' : 'no',
  }),
  count: (value: Maybe): Cell => orMissing(value, formatCount),
  perSecond: (value: Maybe): Cell => orMissing(value, (v) => `${formatRate(v)}\u00a0/s`),
  latencyUs: (value: Maybe): Cell => orMissing(value, formatLatencyUs),
  durationMs: (value: Maybe): Cell => orMissing(value, formatDurationMs),
  wholeMs: (value: Maybe): Cell => orMissing(value, formatWholeMs),
  fraction: (value: Maybe): Cell => orMissing(value, (v) => formatPercent(v, 2)),
  percent: (value: Maybe): Cell => orMissing(value, (v) => `${v.toFixed(2)}\u00a0%`),
  stat: (value: Maybe): Cell => orMissing(value, formatStat),
  bytes: (value: Maybe): Cell => orMissing(value, formatBytes),
  /** A plain number such as a weight or a degree of freedom: shown as it is. */
  plain: (value: Maybe): Cell => orMissing(value, (v) => String(Number(v.toPrecision(6)))),
};

function renderCell(value: Cell): SafeHtml {
  if (value.value === undefined) return html`<td>${value.text}</td>`;
  return html`<td class="num" data-value="${String(value.value)}">${value.text}</td>`;
}

/** A figures table with a caption; nothing when there are no rows. */
export function figuresTable(
  role: string,
  caption: string,
  headers: readonly string[],
  rows: readonly Cell[][],
): SafeHtml {
  if (rows.length === 0) return html``;
  return html`<div class="table-scroll">
  <table class="figures" data-figures="${role}">
    <caption>${caption}</caption>
    <thead><tr>${headers.map((h) => html`<th>${h}</th>`)}</tr></thead>
    <tbody>${rows.map((row) => html`<tr>${row.map(renderCell)}</tr>`)}</tbody>
  </table>
</div>`;
}

/** Rows of named fields, one column per record: wide records read better this way round. */
export function transpose(fields: readonly string[], records: readonly Cell[][]): Cell[][] {
  return fields.map((field, f) => [
    cell.text(field),
    ...records.map((record) => record[f] ?? cell.text(null)),
  ]);
}
