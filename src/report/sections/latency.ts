import type { RunResult } from '../../result/result-schema.ts';
import type { ChartRegistry } from '../chart-spec.ts';
import { serverLabel } from '../figures/server-label.ts';
import { html, type SafeHtml } from '../page/html.ts';
import {
  buildCurveSet,
  type CurveSet,
  decodeHistogram,
  type LabelledHistogram,
  mergeEncodedHistograms,
} from '../percentile-curve.ts';

function byPhase(result: RunResult): CurveSet {
  const curves: LabelledHistogram[] = [];
  result.phases.forEach((phase, i) => {
    if (phase.latency.summary.count === 0) return;
    curves.push({
      label: phase.label,
      histogram: decodeHistogram(phase.latency.encoded, `phases[${i}].latency`),
    });
  });
  return buildCurveSet(curves);
}

function serversOfPhase(result: RunResult, phaseIndex: number): CurveSet {
  const phase = result.phases[phaseIndex]!;
  const curves: LabelledHistogram[] = [];
  phase.servers.forEach((server, s) => {
    if (server.latency.summary.count === 0) return;
    curves.push({
      label: serverLabel(result, s),
      histogram: decodeHistogram(server.latency.encoded, `phases[${phaseIndex}].servers[${s}].latency`),
    });
  });
  return buildCurveSet(curves);
}

/** Each server's latency over every phase it served in. */
function serversOfRun(result: RunResult): CurveSet {
  const parts = new Map<string, { label: string; list: { encoded: string; fieldPath: string }[] }>();
  result.phases.forEach((phase, p) => {
    phase.servers.forEach((server, s) => {
      if (server.latency.summary.count === 0) return;
      const part = parts.get(server.address) ?? { label: serverLabel(result, s), list: [] };
      part.list.push({ encoded: server.latency.encoded, fieldPath: `phases[${p}].servers[${s}].latency` });
      parts.set(server.address, part);
    });
  });
  return buildCurveSet(
    [...parts.values()].map(({ label, list }) => ({ label, histogram: mergeEncodedHistograms(list) })),
  );
}

/** The percentile distribution, one line per phase, or per server with the phase to show. */
export function renderLatency(result: RunResult, runIndex: number, charts: ChartRegistry): SafeHtml {
  const phaseView = byPhase(result);
  if (phaseView.series.length === 0) {
    return html`<section class="block"><h3>Latency distribution</h3><p class="muted">No call completed.</p></section>`;
  }
  const views: Record<string, CurveSet> = { phase: phaseView };
  const serverPhases = result.phases.flatMap((phase, i) =>
    phase.servers.some((server) => server.latency.summary.count > 0) ? [i] : [],
  );
  if (serverPhases.length > 0) {
    views['server:all'] = serversOfRun(result);
    for (const i of serverPhases) views[`server:${i}`] = serversOfPhase(result, i);
  }
  const id = charts.add({ kind: 'percentile', views, initialView: 'phase' });
  const defaultServerView = serverPhases.length === 1 ? `server:${serverPhases[0]}` : 'server:all';
  return html`<section class="block">
  <h3>Latency distribution</h3>
  <div class="chart-controls no-print-controls" data-controls-for="${id}">
    ${
      serverPhases.length > 0
        ? html`<fieldset class="toggle">
      <legend>Lines</legend>
      <label><input type="radio" name="${id}-lines" value="phase" checked> by phase</label>
      <label><input type="radio" name="${id}-lines" value="server"> by server</label>
    </fieldset>
    <label class="server-scope" hidden>of
      <select data-server-view>
        ${serverPhases.length > 1 ? html`<option value="server:all">every phase, merged</option>` : ''}
        ${serverPhases.map(
          (i) =>
            html`<option value="server:${i}"${`server:${i}` === defaultServerView ? html` selected` : ''}>phase ${result.phases[i]!.label}</option>`,
        )}
      </select>
    </label>`
        : ''
    }
    <label class="log-toggle"><input type="checkbox" data-log-y checked> log latency axis</label>
  </div>
  <figure>
    <div class="chart" id="${id}" data-chart="${id}" data-run="${runIndex}" data-role="latency"
      role="img" aria-label="Latency by percentile"></div>
    <figcaption>Latency of the ok calls (y) at each percentile (x). The x axis is 1/(1−p) on a log scale,
      so each step right adds a nine; the last point of a line is the largest latency recorded. The latency
      axis is logarithmic, so that the body (to p90) and the tail both show; untick it for a linear one.
      Servers are named by their index in the run.</figcaption>
  </figure>
</section>`;
}
