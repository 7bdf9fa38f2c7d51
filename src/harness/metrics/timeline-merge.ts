import { encodeHistogram, mergeEncoded } from '../../result/histogram.ts';
import type { TimelineEntry } from '../../result/result-schema.ts';
import type { RecordedInterval, RecordedShare } from './phase-recorder.ts';
import { addCounts, coarsenTimeline, type RecordedServerInterval } from './recorded-interval.ts';

export interface MergedTimelines {
  /** The phase's timeline, every interval from the first to the last, empty ones included. */
  timeline: TimelineEntry[];
  /** Each server's, by the runner's address order, on the same intervals. */
  serverTimelines: TimelineEntry[][];
}

/**
 * Sums the load threads' timelines interval by interval. A thread whose phase outgrew its cap
 * coarsened its step; every thread's intervals are brought to the coarsest step first. An
 * interval without calls stays in (a stall shows as a gap in calls), and the last one covers only
 * up to the phase's last completion, so that rates drawn from it are not understated.
 */
export function mergeShareTimelines(
  shares: readonly RecordedShare[],
  addresses: readonly string[],
  durationMs: number,
): MergedTimelines {
  const intervalMs = Math.max(0, ...shares.map((share) => share.intervalMs));
  const byIndex = new Map<number, { share: RecordedShare; entry: RecordedInterval }[]>();
  for (const share of shares) {
    for (const entry of coarsenTimeline(share.timeline, share.intervalMs, intervalMs)) {
      const group = byIndex.get(entry.index);
      if (group === undefined) byIndex.set(entry.index, [{ share, entry }]);
      else group.push({ share, entry });
    }
  }
  const last = Math.max(-1, ...byIndex.keys());
  const timeline: TimelineEntry[] = [];
  const serverTimelines: TimelineEntry[][] = addresses.map(() => []);
  for (let index = 0; index <= last; index++) {
    const startMs = index * intervalMs;
    const covered = Math.min(intervalMs, Math.max(0, durationMs - startMs));
    const group = byIndex.get(index) ?? [];
    timeline.push(
      toEntry(
        startMs,
        covered,
        group.map(({ entry }) => entry),
      ),
    );
    addresses.forEach((address, s) => {
      const parts = group.flatMap(({ share, entry }) => {
        const server = entry.servers[share.addresses.indexOf(address)];
        return server === undefined ? [] : [server];
      });
      serverTimelines[s]!.push(toEntry(startMs, covered, parts));
    });
  }
  return { timeline, serverTimelines };
}

function toEntry(
  startMs: number,
  durationMs: number,
  parts: readonly RecordedServerInterval[],
): TimelineEntry {
  const histogram = mergeEncoded(parts.flatMap((part) => (part.encoded === '' ? [] : [part.encoded])));
  const empty = histogram.totalCount === 0;
  const entry: TimelineEntry = {
    startMs,
    durationMs,
    ...addCounts(parts),
    p50Us: empty ? 0 : histogram.getValueAtPercentile(50),
    p99Us: empty ? 0 : histogram.getValueAtPercentile(99),
    maxUs: empty ? 0 : histogram.maxValue,
    encoded: encodeHistogram(histogram),
  };
  histogram.destroy();
  return entry;
}
