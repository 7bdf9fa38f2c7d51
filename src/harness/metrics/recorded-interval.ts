import { encodeHistogram, mergeEncoded } from '../../result/histogram.ts';

/** One server's part of an interval: calls sent to it (failed ones included), its errors, latencies. */
export interface RecordedServerInterval {
  calls: number;
  errors: number;
  errorsByCode: Record<string, number>;
  /** Latencies of its successful calls, encoded; '' when there were none. */
  encoded: string;
}

/** One interval of a load thread's timeline: calls completed in it (failed ones included) and so on. */
export interface RecordedInterval extends RecordedServerInterval {
  /** Which interval: it starts at index × the share's intervalMs from the phase start. */
  index: number;
  /** By server, in the share's `addresses` order (shorter when a server was met later). */
  servers: RecordedServerInterval[];
}

/** Adds encoded histograms, skipping empty ones; '' when all are. */
export function mergeEncodedText(encoded: readonly string[]): string {
  const parts = encoded.filter((text) => text !== '');
  if (parts.length <= 1) return parts[0] ?? '';
  const merged = mergeEncoded(parts);
  const text = encodeHistogram(merged);
  merged.destroy();
  return text;
}

/** The sum of several intervals' counts, errors by code and latencies, as interval `index`. */
export function mergeIntervals(index: number, parts: readonly RecordedInterval[]): RecordedInterval {
  if (parts.length === 1) return { ...parts[0]!, index };
  const serverCount = Math.max(...parts.map((part) => part.servers.length));
  const servers = Array.from({ length: serverCount }, (_, s) =>
    sumCounts(parts.flatMap((part) => (part.servers[s] === undefined ? [] : [part.servers[s]]))),
  );
  return { index, ...sumCounts(parts), servers };
}

/** Calls, errors and errors by code of several parts of an interval, added up. */
export function addCounts(
  parts: readonly Omit<RecordedServerInterval, 'encoded'>[],
): Omit<RecordedServerInterval, 'encoded'> {
  const errorsByCode: Record<string, number> = {};
  let calls = 0;
  let errors = 0;
  for (const part of parts) {
    calls += part.calls;
    errors += part.errors;
    for (const [code, count] of Object.entries(part.errorsByCode))
      errorsByCode[code] = (errorsByCode[code] ?? 0) + count;
  }
  return { calls, errors, errorsByCode };
}

/** The parts of an interval added up, latencies included. */
function sumCounts(parts: readonly RecordedServerInterval[]): RecordedServerInterval {
  return { ...addCounts(parts), encoded: mergeEncodedText(parts.map((part) => part.encoded)) };
}

/** Intervals of one step, as a timeline holds them before it is made one step. */
export interface TimelinePart {
  stepMs: number;
  intervals: readonly RecordedInterval[];
}

/**
 * The same timeline in steps of `toMs` (a multiple of `fromMs`): the intervals that fall into one
 * longer step are merged. Entries stay in order of index.
 */
export function coarsenTimeline(
  timeline: readonly RecordedInterval[],
  fromMs: number,
  toMs: number,
): RecordedInterval[] {
  return coarsenParts([{ stepMs: fromMs, intervals: timeline }], toMs);
}

/**
 * Parts of a timeline, each at its own step (a divisor of `toMs`), as one timeline in steps of
 * `toMs`: intervals that fall into one step are merged, across parts too. In order of index.
 */
export function coarsenParts(parts: readonly TimelinePart[], toMs: number): RecordedInterval[] {
  if (parts.length === 1 && parts[0]!.stepMs === toMs) return [...parts[0]!.intervals];
  const groups = new Map<number, RecordedInterval[]>();
  for (const { stepMs, intervals } of parts) {
    for (const entry of intervals) {
      const index = Math.floor((entry.index * stepMs) / toMs);
      const group = groups.get(index);
      if (group === undefined) groups.set(index, [entry]);
      else group.push(entry);
    }
  }
  return [...groups].sort(([a], [b]) => a - b).map(([index, group]) => mergeIntervals(index, group));
}
