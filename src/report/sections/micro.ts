import type { MicroBenchmark, RunResult } from '../../result/result-schema.ts';
import { formatCount, formatLatencyUs, formatRate, formatRatio } from '../../util/format.ts';
import { html, type SafeHtml } from '../page/html.ts';

interface Relative {
  header: string;
  cell: (benchmark: MicroBenchmark) => string;
}

/**
 * Each benchmark's mean time over the reference's, as the result gives it (`ratio`, 1 for the
 * reference, the cached call); for results without it, against the fastest.
 */
export function microRelative(micro: readonly MicroBenchmark[]): Relative {
  if (micro.every((m) => m.ratio !== undefined)) {
    const reference = micro.find((m) => m.ratio === 1);
    return {
      header: reference ? `time vs ${reference.name}` : 'time vs reference',
      cell: (m) => (m === reference ? 'reference' : formatRatio(m.ratio!)),
    };
  }
  const fastest = Math.max(...micro.map((m) => m.opsPerSecond));
  return {
    header: 'vs fastest',
    cell: (m) =>
      m.opsPerSecond === fastest
        ? 'fastest'
        : `${formatRatio(m.opsPerSecond > 0 ? fastest / m.opsPerSecond : Number.POSITIVE_INFINITY)} slower`,
  };
}

/** The tinybench micro-benchmarks: one call at a time, with their ratio to the reference. */
export function renderMicro(result: RunResult, runIndex: number): SafeHtml {
  if (result.micro.length === 0) return html``;
  const relative = microRelative(result.micro);
  return html`<section class="block">
  <h3>Micro-benchmarks</h3>
  <table class="compact" data-run="${runIndex}" data-role="micro">
    <thead><tr>
      <th>Benchmark</th><th class="num">ops/s</th><th class="num">± rme</th><th class="num">mean</th>
      <th class="num">p50</th><th class="num">p99</th><th class="num">samples</th><th class="num">${relative.header}</th>
    </tr></thead>
    <tbody>
      ${result.micro.map(
        (m, i) => html`<tr data-micro="${i}">
        <td>${m.name}</td>
        <td class="num" data-field="opsPerSecond">${formatRate(m.opsPerSecond)}</td>
        <td class="num">${m.rmePercent.toFixed(2)}&nbsp;%</td>
        <td class="num">${formatLatencyUs(m.meanUs)}</td>
        <td class="num">${formatLatencyUs(m.p50Us)}</td>
        <td class="num">${formatLatencyUs(m.p99Us)}</td>
        <td class="num">${formatCount(m.samples)}</td>
        <td class="num" data-field="ratio">${relative.cell(m)}</td>
      </tr>`,
      )}
    </tbody>
  </table>
</section>`;
}
