import type { PhaseResult, RunResult, TimelinePoint } from '../../result/result-schema.ts';
import { msToSeconds, usToMs } from '../../util/units.ts';
import type { ChartRegistry } from '../chart-spec.ts';
import { eventMarks } from '../event-marks.ts';
import { html, type SafeHtml } from '../page/html.ts';
import { renderPhaseTitle } from '../phase-label.ts';
import { renderEventList, shareTimelineChart } from './share-timeline.ts';

/** Calls, errors and p99 second by second, one small chart per phase. */
export function renderTimeline(result: RunResult, runIndex: number, charts: ChartRegistry): SafeHtml {
  const phases = result.phases.flatMap((phase, i) => (phase.timeline.length > 0 ? [{ phase, i }] : []));
  if (phases.length === 0) return html``;
  return html`<section class="block">
  <h3>Timeline</h3>
  <p class="muted">Per second: calls completed and errors (left axis), p99 latency (right axis); below,
    each server's share of the calls. Vertical lines: a server ejected by outlier detection (solid) and
    let back (dashed).</p>
  <div class="timeline-grid${phases.length === 1 ? ' single' : ''}">
  ${phases.map(({ phase, i }) => {
    const points = ratedPoints(phase);
    const marks = eventMarks(phase);
    const id = charts.add({
      kind: 'timeline',
      seconds: points.map((p) => p.second),
      callsPerSecond: points.map((p) => p.callsPerSecond),
      errors: points.map((p) => p.errorsPerSecond),
      p99Ms: points.map((p) => usToMs(p.p99Us)),
      marks,
    });
    return html`<figure class="timeline" data-run="${runIndex}" data-phase="${i}">
      <figcaption>${renderPhaseTitle(phase)}</figcaption>
      <div class="chart" id="${id}" data-chart="${id}" data-run="${runIndex}" data-role="timeline"
        role="img" aria-label="Calls, errors and p99 per second"></div>
      ${shareTimelineChart(phase, points, marks, runIndex, charts)}
      ${renderEventList(phase)}
    </figure>`;
  })}
  </div>
</section>`;
}

/** A bucket shorter than this is left out: a rate over a sliver of a second is mostly noise. */
const MIN_BUCKET_SECONDS = 0.2;

/**
 * Rates per second. The last bucket usually covers only part of a second (the phase ends
 * mid-second), so its counts are divided by the time it really covers, not by a whole second.
 */
function ratedPoints(
  phase: PhaseResult,
): (TimelinePoint & { callsPerSecond: number; errorsPerSecond: number })[] {
  const phaseSeconds = msToSeconds(phase.durationMs);
  return [...phase.timeline]
    .sort((a, b) => a.second - b.second)
    .flatMap((point) => {
      const bucketSeconds = Math.min(1, phaseSeconds - point.second);
      if (bucketSeconds < MIN_BUCKET_SECONDS) return [];
      return [
        {
          ...point,
          callsPerSecond: point.calls / bucketSeconds,
          errorsPerSecond: point.errors / bucketSeconds,
        },
      ];
    });
}
