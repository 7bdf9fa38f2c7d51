import { createRecordingHistogram, encodeHistogram, type Histogram } from '../../result/histogram.ts';
import { RpcError } from '../../util/errors.ts';
import { msToSeconds, msToUs, secondsToMs } from '../../util/units.ts';
import { addressOf } from '../../xclient/errors.ts';
import type { OutlierEvent } from '../../xclient/outlier/outlier-detector.ts';
import type { BroadcastOutcome } from '../../xclient/xclient.ts';
import { DROPPED_CALL_CODE, UNKNOWN_ERROR_CODE } from '../errors.ts';

/** Outlier events kept per load thread and phase: many XClients ejecting often stay bounded. */
export const MAX_EVENTS_PER_SLICE = 10_000;

/** The timeline's step. */
const SECOND_MS = secondsToMs(1);

/** One second of a load thread's timeline: calls completed in it (failed ones included), errors, latencies. */
export interface RecordedSecond {
  second: number;
  calls: number;
  errors: number;
  /** Latencies of the second's successful calls, encoded. */
  encoded: string;
  /** Calls sent to each server in the second (by `RecordedSlice.addresses`), failed ones naming it included. */
  serverCalls: number[];
}

/** Everything a load thread measured in one phase; histograms travel in their encoded form. */
export interface RecordedSlice {
  calls: number;
  errors: number;
  errorsByCode: Record<string, number>;
  /** The first message seen for each error code. */
  errorSamples: Record<string, string>;
  addresses: string[];
  /** Calls this thread sent to each server (by `addresses`), failed ones included. */
  clientCounts: number[];
  /** Latencies of each server's successful calls, encoded. */
  serverHistograms: string[];
  timeline: RecordedSecond[];
  /** From the phase start to the last completion, ms. */
  elapsedMs: number;
  /** Outlier ejections and returns, `atMs` from the phase start. */
  events: PhaseEvent[];
}

/** A load thread's figures so far in a phase, for the live metrics endpoint. */
export interface LiveFigures {
  calls: number;
  errors: number;
  errorsByCode: Record<string, number>;
  addresses: string[];
  clientCounts: number[];
  /** Each server's successful calls so far, encoded. */
  serverHistograms: string[];
  /** Calls started and not yet settled, as the caller counts them. */
  inFlight: number;
}
/** An ejection or return of a server by one XClient's outlier detection, `atMs` from the phase start. */
export type PhaseEvent = OutlierEvent;

/**
 * Records one load thread's calls in a phase. Built for the hot path: a call costs two
 * recordValue() of an integer into WebAssembly histograms, a Map lookup and a few counter
 * increments. Latencies of the current second go to one histogram, which is encoded and reset
 * when the second is over: the overall histogram is the sum of the seconds, and memory stays flat
 * however long the run. finish() or discard() frees the histograms; a call that ends after
 * that is not recorded.
 */
export class PhaseRecorder {
  calls = 0;
  errors = 0;
  readonly #startMs: number;
  readonly #addresses: string[];
  readonly #indexOf = new Map<string, number>();
  readonly #clientCounts: number[] = [];
  readonly #serverHistograms: Histogram[] = [];
  readonly #errorsByCode = new Map<string, number>();
  readonly #errorSamples = new Map<string, string>();
  readonly #timeline: RecordedSecond[] = [];
  readonly #secondHistogram: Histogram = createRecordingHistogram();
  #second = 0;
  #secondEndMs: number;
  #secondCalls = 0;
  #secondErrors = 0;
  #secondServerCalls: number[] = [];
  readonly #events: PhaseEvent[] = [];
  #lastEndMs: number;
  #lastP99Us = 0;
  #released = false;

  /** `startMs` is the phase start on this thread's performance.now() clock. */
  constructor(addresses: readonly string[], startMs: number) {
    this.#startMs = startMs;
    this.#secondEndMs = startMs + SECOND_MS;
    this.#lastEndMs = startMs;
    this.#addresses = [];
    for (const address of addresses) this.#addServer(address);
  }

  /** A successful call to `address`, started (or due, in the open model) at `startMs`. */
  ok(address: string, startMs: number, endMs: number): void {
    if (this.#released) return;
    const latencyUs = msToUs(endMs - startMs);
    if (endMs >= this.#secondEndMs) this.#roll(endMs);
    this.#secondHistogram.recordValue(latencyUs);
    this.#secondCalls++;
    this.calls++;
    let index = this.#indexOf.get(address);
    if (index === undefined) index = this.#addServer(address);
    this.#serverHistograms[index]!.recordValue(latencyUs);
    this.#clientCounts[index]!++;
    this.#secondServerCalls[index]!++;
    this.#lastEndMs = endMs;
  }

  /** An XClient's outlier event; `event.atMs` is on this thread's performance.now() clock. */
  outlierEvent(event: OutlierEvent): void {
    if (this.#released || this.#events.length >= MAX_EVENTS_PER_SLICE) return;
    this.#events.push({ ...event, atMs: event.atMs - this.#startMs });
  }

  /** A failed call: counted by its error code, and against its server when the error names one. */
  fail(error: unknown, endMs: number): void {
    if (this.#released) return;
    this.#countError(this.#sample(error), endMs);
    const address = addressOf(error);
    if (address !== undefined) {
      let index = this.#indexOf.get(address);
      if (index === undefined) index = this.#addServer(address);
      this.#clientCounts[index]!++;
      this.#secondServerCalls[index]!++;
    }
  }

  /** Open model: a call that was due while too many were pending, never sent. */
  drop(nowMs: number): void {
    if (this.#released) return;
    this.#countError(DROPPED_CALL_CODE, nowMs);
  }

  /**
   * A broadcast: one call to every server. It succeeds when every server answered; each server's
   * count and latency are recorded from its own outcome.
   */
  broadcast(outcomes: readonly BroadcastOutcome<unknown>[], startMs: number, endMs: number): void {
    if (this.#released) return;
    let failure: Error | undefined;
    for (const outcome of outcomes) {
      let index = this.#indexOf.get(outcome.address);
      if (index === undefined) index = this.#addServer(outcome.address);
      this.#clientCounts[index]!++;
      if (outcome.error === undefined) this.#serverHistograms[index]!.recordValue(msToUs(outcome.latencyMs));
      else failure ??= outcome.error;
    }
    if (failure !== undefined) {
      this.#countError(this.#sample(failure), endMs);
      return;
    }
    if (endMs >= this.#secondEndMs) this.#roll(endMs);
    this.#secondHistogram.recordValue(msToUs(endMs - startMs));
    this.#secondCalls++;
    this.calls++;
    this.#lastEndMs = endMs;
  }

  /** p99 of the current second so far (of the last one when this one has no calls yet), µs. */
  currentP99Us(): number {
    if (!this.#released && this.#secondHistogram.totalCount > 0) {
      this.#lastP99Us = this.#secondHistogram.getValueAtPercentile(99);
    }
    return this.#lastP99Us;
  }

  /**
   * A copy of the figures so far, the histograms encoded (some tenths of a millisecond each): for
   * a timer about once a second, never per call. Empty once finished or discarded.
   */
  liveFigures(inFlight: number): LiveFigures {
    const errorsByCode: Record<string, number> = {};
    for (const [code, count] of this.#errorsByCode) errorsByCode[code] = count;
    return {
      calls: this.calls,
      errors: this.errors,
      errorsByCode,
      addresses: [...this.#addresses],
      clientCounts: [...this.#clientCounts],
      serverHistograms: this.#released ? [] : this.#serverHistograms.map(encodeHistogram),
      inFlight,
    };
  }

  /**
   * Closes the last second, hands everything over and frees the histograms. A call abandoned at
   * the end that completes later is not recorded, as it should be.
   */
  finish(): RecordedSlice {
    if (this.#released) {
      throw new RpcError(
        'ERR_RECORDER_RELEASED',
        'PhaseRecorder.finish() called after finish() or discard()',
      );
    }
    this.#closeSecond();
    const errorsByCode: Record<string, number> = {};
    for (const [code, count] of this.#errorsByCode) errorsByCode[code] = count;
    const slice: RecordedSlice = {
      calls: this.calls,
      errors: this.errors,
      errorsByCode,
      errorSamples: Object.fromEntries(this.#errorSamples),
      addresses: this.#addresses,
      clientCounts: this.#clientCounts,
      serverHistograms: this.#serverHistograms.map(encodeHistogram),
      timeline: this.#timeline,
      elapsedMs: Math.max(0, this.#lastEndMs - this.#startMs),
      events: this.#events,
    };
    this.discard();
    return slice;
  }

  /** Frees the histograms without reading them, as after a warm-up; a second call does nothing. */
  discard(): void {
    if (this.#released) return;
    this.#released = true;
    this.#secondHistogram.destroy();
    for (const histogram of this.#serverHistograms) histogram.destroy();
  }

  /** The error's code; its message is kept when it is the first of that code. */
  #sample(error: unknown): string {
    const value = (error as { code?: unknown } | null)?.code;
    const code = typeof value === 'string' ? value : UNKNOWN_ERROR_CODE;
    if (!this.#errorSamples.has(code)) {
      const message = (error as { message?: unknown } | null)?.message;
      this.#errorSamples.set(code, typeof message === 'string' ? message : String(error));
    }
    return code;
  }

  #countError(code: string, endMs: number): void {
    if (endMs >= this.#secondEndMs) this.#roll(endMs);
    this.#errorsByCode.set(code, (this.#errorsByCode.get(code) ?? 0) + 1);
    this.#secondErrors++;
    this.errors++;
    this.calls++;
    this.#lastEndMs = endMs;
  }

  #roll(endMs: number): void {
    this.#closeSecond();
    this.#second = Math.floor(msToSeconds(endMs - this.#startMs));
    this.#secondEndMs = this.#startMs + secondsToMs(this.#second + 1);
  }

  #closeSecond(): void {
    if (this.#secondCalls === 0 && this.#secondErrors === 0) return;
    this.#timeline.push({
      second: this.#second,
      calls: this.#secondCalls + this.#secondErrors,
      errors: this.#secondErrors,
      encoded: encodeHistogram(this.#secondHistogram),
      serverCalls: this.#secondServerCalls,
    });
    this.#secondServerCalls = this.#addresses.map(() => 0);
    if (this.#secondHistogram.totalCount > 0)
      this.#lastP99Us = this.#secondHistogram.getValueAtPercentile(99);
    this.#secondHistogram.reset();
    this.#secondCalls = 0;
    this.#secondErrors = 0;
  }

  #addServer(address: string): number {
    const index = this.#addresses.length;
    this.#addresses.push(address);
    this.#indexOf.set(address, index);
    this.#clientCounts.push(0);
    this.#secondServerCalls.push(0);
    this.#serverHistograms.push(createRecordingHistogram());
    return index;
  }
}
