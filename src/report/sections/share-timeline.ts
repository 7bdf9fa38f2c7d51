import type { PhaseResult } from '../../result/result-schema.ts';
import { formatDurationMs } from '../../util/format.ts';
import { msToSeconds } from '../../util/units.ts';
import type { ChartRegistry, EventMark } from '../chart-spec.ts';
import { wholeIntervals } from '../comparison/interval-samples.ts';
import { MAX_MARKS } from '../event-marks.ts';
import { html, type SafeHtml } from '../page/html.ts';

/**
 * Each server's share of the calls interval by interval: how fast a balancer moves calls off a server
 * that degrades, and back once it recovers. Drawn when there are at least two servers to share between.
 * Whole intervals only: the last one, cut short by the end of the phase, holds the few calls still
 * in flight, and their split is noise that read as a sudden jump. `labels` names the servers.
 */
export function shareTimelineChart(
  phase: PhaseResult,
  labels: readonly string[],
  marks: EventMark[],
  runIndex: number,
  charts: ChartRegistry,
): SafeHtml {
  const whole = wholeIntervals(phase.timeline);
  if (phase.servers.length < 2 || whole.length === 0) return html``;
  const starts = whole.map((entry) => entry.startMs);
  const callsAt = phase.servers.map(
    (server) => new Map(server.timeline.map((entry) => [entry.startMs, entry.calls])),
  );
  const percent = phase.servers.map((_, server) =>
    starts.map((startMs) => {
      const total = callsAt.reduce((sum, calls) => sum + (calls.get(startMs) ?? 0), 0);
      return total === 0 ? null : (100 * (callsAt[server]!.get(startMs) ?? 0)) / total;
    }),
  );
  const id = charts.add({
    kind: 'share-timeline',
    seconds: starts.map(msToSeconds),
    servers: [...labels],
    percent,
    marks,
  });
  return html`<div class="chart share-timeline" id="${id}" data-chart="${id}" data-run="${runIndex}"
    data-role="share-timeline" role="img" aria-label="Each server's share of the calls, interval by interval"></div>`;
}

/** The ejections and returns as a table, folded away: the marks say when, this says which and why. */
export function renderEventList(phase: PhaseResult): SafeHtml {
  const events = phase.events ?? [];
  if (events.length === 0) return html``;
  const ejections = events.filter((event) => event.kind === 'ejected').length;
  const shown = events.slice(0, MAX_MARKS);
  return html`<details class="events" data-events="${events.length}">
    <summary>${ejections} ejection(s), ${events.length - ejections} return(s)${
      events.length > shown.length ? html`; the first ${shown.length} are listed and marked` : html``
    }</summary>
    <table class="events-table">
      <thead><tr><th>at</th><th>server</th><th>event</th></tr></thead>
      <tbody>
      ${shown.map(
        (event) => html`<tr data-kind="${event.kind}">
        <td>${formatDurationMs(event.atMs)}</td><td><code>${event.address}</code></td>
        <td>${
          event.kind === 'ejected'
            ? `ejected (${event.reason}) for ${formatDurationMs(event.ejectionMs)}`
            : 'returned'
        }</td></tr>`,
      )}
      </tbody>
    </table>
  </details>`;
}
