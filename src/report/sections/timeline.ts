import type { PhaseResult, RunResult, TimelineEntry } from '../../result/result-schema.ts';
import { formatDurationMs } from '../../util/format.ts';
import { msToSeconds, usToMs } from '../../util/units.ts';
import type { ChartRegistry, TimelineView } from '../chart-spec.ts';
import { eventMarks } from '../event-marks.ts';
import { serverLabel } from '../figures/server-label.ts';
import { html, type SafeHtml } from '../page/html.ts';
import { decodeHistogram } from '../percentile-curve.ts';
import { renderPhaseTitle } from '../phase-label.ts';
import { renderEventList, shareTimelineChart } from './share-timeline.ts';

/** Error codes drawn one by one; the rest are summed as `other`, so the legend stays readable. */
const MAX_ERROR_CODES = 4;
/** An interval shorter than this share of the step is left out: a rate over a sliver is mostly noise. */
const MIN_COVERED_FRACTION = 0.2;

/** The phase's step: its first interval's length (every interval but the last has it). */
export function timelineStepMs(timeline: readonly TimelineEntry[]): number {
  return timeline.length === 0 ? 0 : Math.max(...timeline.map((entry) => entry.durationMs));
}

/**
 * Intervals long enough to give a rate. The last one usually covers only part of a step (the
 * phase ends mid-interval), so its counts are divided by the time it really covers.
 */
export function ratedIntervals(timeline: readonly TimelineEntry[]): TimelineEntry[] {
  const stepMs = timelineStepMs(timeline);
  return timeline.filter(
    (entry) => entry.durationMs >= stepMs * MIN_COVERED_FRACTION && entry.durationMs > 0,
  );
}

function errorCodesOf(timeline: readonly TimelineEntry[]): string[] {
  const totals = new Map<string, number>();
  for (const entry of timeline)
    for (const [code, count] of Object.entries(entry.errorsByCode))
      totals.set(code, (totals.get(code) ?? 0) + count);
  return [...totals].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([code]) => code);
}

/** Open model: calls that were due while too many were pending, never sent. */
const DROPPED_CODE = 'ERR_DROPPED';

/**
 * Ok calls in flight on average over an interval, by Little's law: their completion rate times their
 * mean latency (from the interval's histogram). Failed calls are left out: most have no latency.
 */
function okInFlight(entry: TimelineEntry, okPerSecond: number, fieldPath: string): number {
  if (okPerSecond === 0) return 0;
  const histogram = decodeHistogram(entry.encoded, fieldPath);
  try {
    return okPerSecond * msToSeconds(usToMs(histogram.mean));
  } finally {
    histogram.destroy();
  }
}

function errorsPerSecond(entries: readonly TimelineEntry[]): Record<string, number[]> {
  const codes = errorCodesOf(entries);
  const shown = codes.length <= MAX_ERROR_CODES ? codes : codes.slice(0, MAX_ERROR_CODES - 1);
  const perSecond = (count: number, entry: TimelineEntry) => count / msToSeconds(entry.durationMs);
  const errorsByCode: Record<string, number[]> = {};
  for (const code of shown) errorsByCode[code] = entries.map((e) => perSecond(e.errorsByCode[code] ?? 0, e));
  if (shown.length < codes.length) {
    const rest = codes.slice(shown.length);
    errorsByCode.other = entries.map((e) =>
      perSecond(
        rest.reduce((sum, code) => sum + (e.errorsByCode[code] ?? 0), 0),
        e,
      ),
    );
  } else if (codes.length === 0 && entries.some((e) => e.errors > 0)) {
    errorsByCode.errors = entries.map((e) => perSecond(e.errors, e));
  }
  return errorsByCode;
}

function timelineView(timeline: readonly TimelineEntry[], fieldPath: string): TimelineView {
  const entries = ratedIntervals(timeline);
  const seconds = (e: TimelineEntry) => msToSeconds(e.durationMs);
  const achieved = (e: TimelineEntry) => (e.calls - (e.errorsByCode[DROPPED_CODE] ?? 0)) / seconds(e);
  return {
    seconds: entries.map((e) => msToSeconds(e.startMs)),
    offeredPerSecond: entries.map((e) => e.calls / seconds(e)),
    achievedPerSecond: entries.map(achieved),
    okInFlight: entries.map((e) =>
      okInFlight(e, (e.calls - e.errors) / seconds(e), `${fieldPath}[${timeline.indexOf(e)}].encoded`),
    ),
    errorsByCode: errorsPerSecond(entries),
    p50Ms: entries.map((e) => usToMs(e.p50Us)),
    p99Ms: entries.map((e) => usToMs(e.p99Us)),
    maxMs: entries.map((e) => usToMs(e.maxUs)),
  };
}

function renderPhaseTimeline(
  result: RunResult,
  runIndex: number,
  phase: PhaseResult,
  i: number,
  charts: ChartRegistry,
): SafeHtml {
  const views: Record<string, TimelineView> = {
    phase: timelineView(phase.timeline, `phases[${i}].timeline`),
  };
  const servers = phase.servers.flatMap((server, s) => (server.timeline.length > 0 ? [{ server, s }] : []));
  for (const { server, s } of servers)
    views[`server:${s}`] = timelineView(server.timeline, `phases[${i}].servers[${s}].timeline`);
  const marks = eventMarks(phase);
  const rateId = charts.add({ kind: 'timeline', panel: 'rate', views, initialView: 'phase', marks });
  const latencyId = charts.add({ kind: 'timeline', panel: 'latency', views, initialView: 'phase', marks });
  return html`<figure class="timeline" data-run="${runIndex}" data-phase="${i}">
    <figcaption>${renderPhaseTitle(phase)}
      <span class="muted">every ${formatDurationMs(timelineStepMs(phase.timeline))}</span></figcaption>
    ${
      servers.length === 0
        ? ''
        : html`<div class="chart-controls" data-timeline-controls="${rateId} ${latencyId}">
      <label>Timeline of <select data-timeline-view>
        <option value="phase">all servers</option>
        ${servers.map(({ server, s }) => html`<option value="server:${s}">${serverLabel(result, s)} · ${server.address}</option>`)}
      </select></label>
    </div>`
    }
    <div class="chart" id="${rateId}" data-chart="${rateId}" data-run="${runIndex}" data-role="timeline"
      data-panel="rate" role="img" aria-label="Offered and achieved calls per second, errors by code per second and ok calls in flight, interval by interval"></div>
    <div class="chart" id="${latencyId}" data-chart="${latencyId}" data-run="${runIndex}" data-role="timeline"
      data-panel="latency" role="img" aria-label="p50, p99 and max latency, interval by interval"></div>
    ${shareTimelineChart(
      phase,
      phase.servers.map((_, s) => serverLabel(result, s)),
      marks,
      runIndex,
      charts,
    )}
    ${renderEventList(phase)}
  </figure>`;
}

/** Per phase, interval by interval: calls and errors by code, and p50, p99 and max latency; by server on request. */
export function renderTimeline(result: RunResult, runIndex: number, charts: ChartRegistry): SafeHtml {
  const phases = result.phases.flatMap((phase, i) => (phase.timeline.length > 0 ? [{ phase, i }] : []));
  if (phases.length === 0) return html``;
  return html`<section class="block">
  <h3>Timeline</h3>
  <p class="muted">Interval by interval (a last, partial interval is divided by the time it covers, and
    left out when that is under a fifth of the step). Top: calls offered per second (dropped ones included)
    against calls achieved (completed, ok or failed), errors per second by code, and, on the right axis, the
    ok calls in flight (Little's law: ok calls per second times their mean latency). Middle: the p50, p99 and
    max latency of the interval's ok calls. Bottom: each server's share of the calls, whole intervals only. Pick a server to see its own. Vertical lines: a server ejected by outlier detection
    (solid) and let back (dashed).</p>
  <div class="timeline-grid${phases.length === 1 ? ' single' : ''}">
  ${phases.map(({ phase, i }) => renderPhaseTimeline(result, runIndex, phase, i, charts))}
  </div>
</section>`;
}
