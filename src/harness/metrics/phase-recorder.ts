import { createRecordingHistogram, encodeHistogram, type Histogram } from '../../result/histogram.ts';
import { DEFAULT_TIMELINE_INTERVAL_MS, timelineIntervalCap } from '../../result/timeline.ts';
import { RpcError } from '../../util/errors.ts';
import { msToUs } from '../../util/units.ts';
import { addressOf } from '../../xclient/errors.ts';
import type { OutlierEvent } from '../../xclient/outlier/outlier-detector.ts';
import type { BroadcastOutcome } from '../../xclient/xclient.ts';
import { DROPPED_CALL_CODE, UNKNOWN_ERROR_CODE } from '../errors.ts';
import { coarsenParts, type RecordedInterval, type TimelinePart } from './recorded-interval.ts';

export type { RecordedInterval, RecordedServerInterval } from './recorded-interval.ts';

/** Outlier events kept per load thread and phase: many XClients ejecting often stay bounded. */
export const MAX_EVENTS_PER_SHARE = 10_000;

/** An ejection or return of a server by one XClient's outlier detection, `atMs` from the phase start. */
export type PhaseEvent = OutlierEvent;

/** A load thread's figures so far in a phase, for the live metrics endpoint. */
export interface LiveFigures {
  calls: number;
  errors: number;
  errorsByCode: Record<string, number>;
  addresses: string[];
  clientCounts: number[];
  /**
   * By server (as `addresses`), the encoded latencies of its successful calls in the intervals
   * closed since the last liveFigures(): the receiver adds them up.
   */
  serverHistograms: string[][];
  /** Calls started and not yet settled, as the caller counts them. */
  inFlight: number;
}

/** What one load thread returns: its recording, which thread it was, and whether it stopped early. */
export interface LoadShareResult extends RecordedShare {
  thread: number;
  /** The load was stopped early (Ctrl-C). */
  stopped: boolean;
}

export interface RecordedShare {
  calls: number;
  errors: number;
  errorsByCode: Record<string, number>;
  /** The first message seen for each error code. */
  errorSamples: Record<string, string>;
  addresses: string[];
  /** Calls this thread sent to each server (by `addresses`), failed ones included. */
  clientCounts: number[];
  /** Of those, the ones that failed with an error naming the server. */
  serverErrors: number[];
  /** The timeline's step: the scenario's, doubled each time a long phase reached its cap of intervals. */
  intervalMs: number;
  /** Intervals with at least one completed call, in order; latencies by phase and by server. */
  timeline: RecordedInterval[];
  /** From the phase start to the last completion, ms. */
  elapsedMs: number;
  /** Outlier ejections and returns, `atMs` from the phase start. */
  events: PhaseEvent[];
  /** Latencies of the calls that got a reply and still failed (see REPLIED_ERROR_CODES), encoded; '' when none. */
  failedEncoded: string;
}

/**
 * Errors that came with a reply: the server answered with an error, or the check refused the
 * answer. Such a call has a latency, kept apart from the successes' so that fast refusals do not
 * flatter the percentiles.
 */
export const REPLIED_ERROR_CODES: ReadonlySet<string> = new Set(['ERR_REMOTE', 'ERR_CHECK']);

/**
 * Records one load thread's calls in a phase. Built for the hot path: a call costs two
 * recordValue() of an integer into WebAssembly histograms (the interval's and its server's), a Map
 * lookup and a few counter increments. When an interval (100 ms by default) is over, its
 * histograms are encoded and reset: the phase's and each server's whole histogram is the sum of
 * the intervals. A long phase hands over at most timelineIntervalCap() intervals: once the
 * timeline reaches the cap, the step doubles for the intervals to come, and those already closed
 * are merged to the final step by finish(), once no call is in flight. Merging them on the spot
 * (decoding and encoding hundreds of histograms) held the load thread, and every call in flight
 * on it, for some 0.5 s at the cap (60 s into a phase by default). Held meanwhile: the cap, then
 * half the cap per doubling (`heldIntervals`), so memory grows with the logarithm of the phase's
 * length. finish() or discard() frees the histograms; a call that ends after that is not recorded.
 */
export class PhaseRecorder {
  calls = 0;
  errors = 0;
  readonly #startMs: number;
  readonly #maxIntervals: number;
  readonly #addresses: string[];
  readonly #indexOf = new Map<string, number>();
  readonly #clientCounts: number[] = [];
  readonly #serverErrors: number[] = [];
  /** Each server's counts when the last interval closed: the interval's own are the differences. */
  readonly #closedCounts: number[] = [];
  readonly #closedErrors: number[] = [];
  /** Latencies of each server's successful calls in the current interval. */
  readonly #serverHistograms: Histogram[] = [];
  readonly #errorsByCode = new Map<string, number>();
  readonly #errorSamples = new Map<string, string>();
  readonly #events: PhaseEvent[] = [];
  /** Per server, latencies of intervals closed since the last liveFigures(); kept only once asked for. */
  #liveEncoded: string[][] | undefined;
  readonly #intervalErrorsByCode = new Map<string, number>();
  /** Each server's errors by code in the current interval, made on its first error. */
  readonly #serverErrorsByCode: (Map<string, number> | undefined)[] = [];
  /** Closed intervals at the current step. */
  #timeline: RecordedInterval[] = [];
  /** Closed intervals of the steps before, each part at its own: finish() merges them to the last step. */
  readonly #earlier: TimelinePart[] = [];
  readonly #intervalHistogram: Histogram = createRecordingHistogram();
  #intervalMs: number;
  #interval = 0;
  #intervalEndMs: number;
  #intervalCalls = 0;
  #intervalErrors = 0;
  #lastEndMs: number;
  #lastP99Us = 0;
  #released = false;
  /** Made on the first failed call that had a reply: a run without one pays nothing for it. */
  #failedHistogram: Histogram | undefined;

  /**
   * `startMs` is the phase start on this thread's performance.now() clock; `intervalMs` the
   * timeline's step (the scenario's timelineIntervalMs).
   */
  /** `live`: the run serves live metrics, so closed intervals' latencies are kept for liveFigures(). */
  constructor(
    addresses: readonly string[],
    startMs: number,
    intervalMs = DEFAULT_TIMELINE_INTERVAL_MS,
    options: { live?: boolean } = {},
  ) {
    if (options.live === true) this.#liveEncoded = [];
    this.#startMs = startMs;
    this.#intervalMs = intervalMs;
    this.#intervalEndMs = startMs + intervalMs;
    this.#maxIntervals = timelineIntervalCap(addresses.length);
    this.#lastEndMs = startMs;
    this.#addresses = [];
    for (const address of addresses) this.#addServer(address);
  }

  /** A successful call to `address`, started (or due, in the open model) at `startMs`. */
  ok(address: string, startMs: number, endMs: number): void {
    if (this.#released) return;
    const latencyUs = msToUs(endMs - startMs);
    if (endMs >= this.#intervalEndMs) this.#roll(endMs);
    this.#intervalHistogram.recordValue(latencyUs);
    this.#intervalCalls++;
    this.calls++;
    let index = this.#indexOf.get(address);
    if (index === undefined) index = this.#addServer(address);
    this.#serverHistograms[index]!.recordValue(latencyUs);
    this.#clientCounts[index]!++;
    this.#lastEndMs = endMs;
  }

  /** An XClient's outlier event; `event.atMs` is on this thread's performance.now() clock. */
  outlierEvent(event: OutlierEvent): void {
    if (this.#released || this.#events.length >= MAX_EVENTS_PER_SHARE) return;
    this.#events.push({ ...event, atMs: event.atMs - this.#startMs });
  }

  /**
   * A failed call: counted by its error code, and against its server when the error names one.
   * Given `startMs`, a call that failed with a reply (REPLIED_ERROR_CODES) has its latency kept.
   */
  fail(error: unknown, endMs: number, startMs?: number): void {
    if (this.#released) return;
    const code = this.#sample(error);
    this.#countError(code, endMs);
    if (startMs !== undefined && REPLIED_ERROR_CODES.has(code)) {
      this.#failedHistogram ??= createRecordingHistogram();
      this.#failedHistogram.recordValue(msToUs(endMs - startMs));
    }
    const address = addressOf(error);
    if (address !== undefined) {
      let index = this.#indexOf.get(address);
      if (index === undefined) index = this.#addServer(address);
      this.#clientCounts[index]!++;
      this.#countServerError(index, code);
    }
  }

  /** Open model: a call that was due while too many were pending, never sent. */
  drop(nowMs: number): void {
    if (this.#released) return;
    this.#countError(DROPPED_CALL_CODE, nowMs);
  }

  /**
   * A broadcast: one call to every server. It succeeds when every server answered; each server's
   * count, errors and latency are recorded from its own outcome.
   */
  broadcast(outcomes: readonly BroadcastOutcome<unknown>[], startMs: number, endMs: number): void {
    if (this.#released) return;
    if (endMs >= this.#intervalEndMs) this.#roll(endMs);
    let failure: Error | undefined;
    for (const outcome of outcomes) {
      let index = this.#indexOf.get(outcome.address);
      if (index === undefined) index = this.#addServer(outcome.address);
      this.#clientCounts[index]!++;
      if (outcome.error === undefined) this.#serverHistograms[index]!.recordValue(msToUs(outcome.latencyMs));
      else {
        this.#countServerError(index, errorCodeOf(outcome.error));
        failure ??= outcome.error;
      }
    }
    if (failure !== undefined) {
      this.#countError(this.#sample(failure), endMs);
      return;
    }
    this.#intervalHistogram.recordValue(msToUs(endMs - startMs));
    this.#intervalCalls++;
    this.calls++;
    this.#lastEndMs = endMs;
  }

  /** Closed intervals held, of every step: bounded (see the class's comment). */
  get heldIntervals(): number {
    return this.#earlier.reduce((sum, part) => sum + part.intervals.length, this.#timeline.length);
  }

  /** p99 of the current interval so far (of the last one when this one has no calls yet), µs. */
  currentP99Us(): number {
    if (!this.#released && this.#intervalHistogram.totalCount > 0) {
      this.#lastP99Us = this.#intervalHistogram.getValueAtPercentile(99);
    }
    return this.#lastP99Us;
  }

  /**
   * The figures so far, for a timer about once a second, never per call (a recorder made with
   * `live`). The latencies of the interval still open come with a later call.
   */
  liveFigures(inFlight: number): LiveFigures {
    const pending = this.#liveEncoded ?? [];
    this.#liveEncoded = [];
    return {
      calls: this.calls,
      errors: this.errors,
      errorsByCode: Object.fromEntries(this.#errorsByCode),
      addresses: [...this.#addresses],
      clientCounts: [...this.#clientCounts],
      serverHistograms: this.#released ? [] : this.#addresses.map((_, index) => pending[index] ?? []),
      inFlight,
    };
  }

  /**
   * Closes the last interval, hands everything over and frees the histograms. A call abandoned at
   * the end that completes later is not recorded, as it should be.
   */
  finish(): RecordedShare {
    if (this.#released) {
      throw new RpcError(
        'ERR_RECORDER_RELEASED',
        'PhaseRecorder.finish() called after finish() or discard()',
      );
    }
    this.#closeInterval();
    const share: RecordedShare = {
      calls: this.calls,
      errors: this.errors,
      errorsByCode: Object.fromEntries(this.#errorsByCode),
      errorSamples: Object.fromEntries(this.#errorSamples),
      addresses: this.#addresses,
      clientCounts: this.#clientCounts,
      serverErrors: this.#serverErrors,
      intervalMs: this.#intervalMs,
      timeline: coarsenParts(
        [...this.#earlier, { stepMs: this.#intervalMs, intervals: this.#timeline }],
        this.#intervalMs,
      ),
      elapsedMs: Math.max(0, this.#lastEndMs - this.#startMs),
      events: this.#events,
      failedEncoded:
        this.#failedHistogram === undefined || this.#failedHistogram.totalCount === 0
          ? ''
          : encodeHistogram(this.#failedHistogram),
    };
    this.discard();
    return share;
  }

  /** Frees the histograms without reading them, as after a warm-up; a second call does nothing. */
  discard(): void {
    if (this.#released) return;
    this.#released = true;
    this.#intervalHistogram.destroy();
    for (const histogram of this.#serverHistograms) histogram.destroy();
    this.#failedHistogram?.destroy();
  }

  /** The error's code; its message is kept when it is the first of that code. */
  #sample(error: unknown): string {
    const code = errorCodeOf(error);
    if (!this.#errorSamples.has(code)) {
      const message = (error as { message?: unknown } | null)?.message;
      this.#errorSamples.set(code, typeof message === 'string' ? message : String(error));
    }
    return code;
  }

  #countError(code: string, endMs: number): void {
    if (endMs >= this.#intervalEndMs) this.#roll(endMs);
    this.#errorsByCode.set(code, (this.#errorsByCode.get(code) ?? 0) + 1);
    this.#intervalErrorsByCode.set(code, (this.#intervalErrorsByCode.get(code) ?? 0) + 1);
    this.#intervalErrors++;
    this.errors++;
    this.calls++;
    this.#lastEndMs = endMs;
  }

  #countServerError(index: number, code: string): void {
    this.#serverErrors[index]!++;
    let byCode = this.#serverErrorsByCode[index];
    if (byCode === undefined) {
      byCode = new Map();
      this.#serverErrorsByCode[index] = byCode;
    }
    byCode.set(code, (byCode.get(code) ?? 0) + 1);
  }

  #roll(endMs: number): void {
    this.#closeInterval();
    let interval = Math.max(0, Math.floor((endMs - this.#startMs) / this.#intervalMs));
    while (interval >= this.#maxIntervals) {
      // Set aside as they are, merged only by finish(): see the class's comment.
      if (this.#timeline.length > 0)
        this.#earlier.push({ stepMs: this.#intervalMs, intervals: this.#timeline });
      this.#timeline = [];
      this.#intervalMs *= 2;
      interval = Math.floor((endMs - this.#startMs) / this.#intervalMs);
    }
    this.#interval = interval;
    this.#intervalEndMs = this.#startMs + (interval + 1) * this.#intervalMs;
  }

  #closeInterval(): void {
    const servers = this.#serverHistograms.map((histogram, s) => {
      const calls = this.#clientCounts[s]! - this.#closedCounts[s]!;
      const errors = this.#serverErrors[s]! - this.#closedErrors[s]!;
      this.#closedCounts[s] = this.#clientCounts[s]!;
      this.#closedErrors[s] = this.#serverErrors[s]!;
      const byCode = this.#serverErrorsByCode[s];
      const errorsByCode = byCode === undefined ? {} : Object.fromEntries(byCode);
      this.#serverErrorsByCode[s] = undefined;
      if (histogram.totalCount === 0) return { calls, errors, errorsByCode, encoded: '' };
      const encoded = encodeHistogram(histogram);
      histogram.reset();
      const live = this.#liveEncoded;
      if (live !== undefined) {
        live[s] ??= [];
        live[s].push(encoded);
      }
      return { calls, errors, errorsByCode, encoded };
    });
    if (this.#intervalCalls === 0 && this.#intervalErrors === 0 && servers.every((s) => s.calls === 0))
      return;
    const histogram = this.#intervalHistogram;
    this.#timeline.push({
      index: this.#interval,
      calls: this.#intervalCalls + this.#intervalErrors,
      errors: this.#intervalErrors,
      errorsByCode: Object.fromEntries(this.#intervalErrorsByCode),
      encoded: histogram.totalCount > 0 ? encodeHistogram(histogram) : '',
      servers,
    });
    if (histogram.totalCount > 0) this.#lastP99Us = histogram.getValueAtPercentile(99);
    histogram.reset();
    this.#intervalErrorsByCode.clear();
    this.#intervalCalls = 0;
    this.#intervalErrors = 0;
  }

  #addServer(address: string): number {
    const index = this.#addresses.length;
    this.#addresses.push(address);
    this.#indexOf.set(address, index);
    this.#clientCounts.push(0);
    this.#serverErrors.push(0);
    this.#closedCounts.push(0);
    this.#closedErrors.push(0);
    this.#serverErrorsByCode.push(undefined);
    this.#serverHistograms.push(createRecordingHistogram());
    return index;
  }
}

function errorCodeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : UNKNOWN_ERROR_CODE;
}
