import { escapeHtml } from '../../util/escape-html.ts';
import { outcomeLine } from '../summary.ts';
import type { TableRow } from '../table.ts';
import type { DuetDecision, DuetLatencyCurve, DuetMetricRow } from './run-duet.ts';

const WIDTH = 640;
const HEIGHT = 120;
const PAD = 40;

/**
 * The duet's verdict as one self-contained HTML page (no script, no network): the table, then per
 * metric the paired ratios B ÷ A as dots, their interval as a band and the limit as a red line,
 * and per phase the A and B latency percentiles.
 */
export function renderDuetPage(decision: DuetDecision): string {
  const title = outcomeLine(decision);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font:14px system-ui,sans-serif;margin:2em;max-width:60em}table{border-collapse:collapse}
td,th{border:1px solid #ccc;padding:2px 6px;text-align:left}.fail{color:#b00;font-weight:bold}
svg{display:block;margin:0.5em 0 1.5em}</style></head>
<body><h1 id="outcome">${escapeHtml(title)}</h1>
${table(decision.rows)}
<ul>${decision.notes.map((note) => `<li>${escapeHtml(note)}</li>`).join('')}</ul>
<h2>Paired ratios B ÷ A</h2>
${decision.metrics.map(ratioPlot).join('\n')}
<h2>Latency percentiles, A and B</h2>
${decision.curves.map(curvePlot).join('\n')}
</body></html>
`;
}

function table(rows: readonly TableRow[]): string {
  const head = ['metric', 'A', 'B', 'ratio', 'CI', 'verdict'].map((cell) => `<th>${cell}</th>`).join('');
  const body = rows
    .map((row) => {
      const cells = [row.metric, row.baseline, row.now, row.ratio, row.interval, row.verdict];
      return `<tr${row.failed ? ' class="fail"' : ''}>${cells.map((cell) => `<td>${escapeHtml(cell)}</td>`).join('')}</tr>`;
    })
    .join('\n');
  return `<table><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

/** Ratios along x (B ÷ A), jittered in y; 1 is no change, the red line the limit of a slowdown. */
function ratioPlot(row: DuetMetricRow): string {
  const c = row.comparison;
  const higherIsBetter = row.metric === 'callsPerSecond';
  const limitRatio = higherIsBetter ? 1 / (1 + row.maxSlowdown) : 1 + row.maxSlowdown;
  const values = [...row.ratios, c.ratioLow, c.ratioHigh, limitRatio, 1];
  const low = Math.min(...values) * 0.98;
  const high = Math.max(...values) * 1.02;
  const x = (value: number): number => PAD + ((value - low) / (high - low)) * (WIDTH - 2 * PAD);
  const dots = row.ratios
    .map(
      (ratio, i) =>
        `<circle cx="${x(ratio).toFixed(1)}" cy="${(30 + ((i * 37) % 50)).toFixed(1)}" r="2.5" fill="#369" />`,
    )
    .join('');
  const caption = `${row.scenario} › ${row.phase} › ${row.label}: median ratio ${c.ratio.toFixed(3)}, interval ${c.ratioLow.toFixed(3)}–${c.ratioHigh.toFixed(3)}, limit ${limitRatio.toFixed(3)}, verdict ${c.verdict}`;
  return `<figure data-metric="${escapeHtml(row.metric)}"><figcaption>${escapeHtml(caption)}</figcaption>
<svg width="${WIDTH}" height="${HEIGHT}" role="img" aria-label="${escapeHtml(caption)}">
<rect x="${x(c.ratioLow).toFixed(1)}" y="20" width="${Math.max(1, x(c.ratioHigh) - x(c.ratioLow)).toFixed(1)}" height="70" fill="#9bd" opacity="0.4" />
<line x1="${x(1).toFixed(1)}" x2="${x(1).toFixed(1)}" y1="15" y2="95" stroke="#777" stroke-dasharray="3" />
<line x1="${x(limitRatio).toFixed(1)}" x2="${x(limitRatio).toFixed(1)}" y1="15" y2="95" stroke="#c00" />
${dots}
<text x="${PAD}" y="112">${low.toFixed(3)}</text><text x="${WIDTH - PAD}" y="112" text-anchor="end">${high.toFixed(3)}</text>
</svg></figure>`;
}

/** Percentile on x (evenly spaced labels), latency on y; A grey, B blue. */
function curvePlot(curve: DuetLatencyCurve): string {
  const height = 200;
  const top = Math.max(...curve.baselineMs, ...curve.candidateMs, 1e-3) * 1.05;
  const x = (i: number): number => PAD + (i / (curve.percentiles.length - 1)) * (WIDTH - 2 * PAD);
  const y = (ms: number): number => height - 30 - (ms / top) * (height - 50);
  const line = (values: number[], colour: string): string =>
    `<polyline fill="none" stroke="${colour}" stroke-width="2" points="${values.map((ms, i) => `${x(i).toFixed(1)},${y(ms).toFixed(1)}`).join(' ')}" />`;
  const labels = curve.percentiles
    .map((p, i) => `<text x="${x(i).toFixed(1)}" y="${height - 10}" text-anchor="middle">p${p}</text>`)
    .join('');
  return `<figure data-phase="${escapeHtml(curve.phase)}"><figcaption>${escapeHtml(curve.phase)}: A (grey) and B (blue), ms; top of the axis ${top.toPrecision(3)} ms</figcaption>
<svg width="${WIDTH}" height="${height}" role="img">${line(curve.baselineMs, '#888')}${line(curve.candidateMs, '#369')}${labels}</svg></figure>`;
}
