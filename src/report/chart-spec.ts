import type { CurveSet } from './percentile-curve.ts';

/**
 * What the page script draws. Everything is computed in Node; the page only hands these arrays
 * to uPlot. Series colours follow the series order.
 */
export interface PercentileChartSpec {
  kind: 'percentile';
  /** Keyed views: `phase`, `server:all`, `server:<phase index>`, `runs`, `reuse:<n>`. */
  views: Record<string, CurveSet>;
  initialView: string;
}

/** A vertical line on a timeline: a server ejected (solid) or let back (dashed). */
export interface EventMark {
  /** From the phase start, in seconds (fractional). */
  second: number;
  kind: 'ejected' | 'returned';
  /** The server's index in the phase's `servers`. */
  server: number;
}

/** One timeline: the phase's or one server's, interval by interval. */
export interface TimelineView {
  /** Interval starts, seconds from the phase start. */
  seconds: number[];
  /** Calls due per second, dropped ones included. */
  offeredPerSecond: number[];
  /** Calls completed per second, ok or failed. */
  achievedPerSecond: number[];
  /** Ok calls in flight on average, by Little's law (ok calls per second × their mean latency). */
  okInFlight: number[];
  /** Errors per second by error code, at most a few codes (the rest summed as `other`). */
  errorsByCode: Record<string, number[]>;
  p50Ms: number[];
  p99Ms: number[];
  maxMs: number[];
}

/** One of a timeline's two panels: throughput and errors, or latency; its views switch together. */
export interface TimelineChartSpec {
  kind: 'timeline';
  panel: 'rate' | 'latency';
  /** Keyed views: `phase`, `server:<index>`. */
  views: Record<string, TimelineView>;
  initialView: string;
  /** Outlier ejections and returns, drawn on both panels. */
  marks: EventMark[];
}

/** Each server's share of the calls, second by second, in percent. */
export interface ShareTimelineChartSpec {
  kind: 'share-timeline';
  seconds: number[];
  servers: string[];
  /** By server, then by second; null where a second had no call. */
  percent: (number | null)[][];
  marks: EventMark[];
}

/**
 * A capacity search's latency-versus-throughput curve: one point per step, by achieved rate
 * (ascending), p50 as a line and p99 as points split into steps that met the objective and steps
 * that did not, so that the knee shows where the colours change.
 */
export interface CapacityChartSpec {
  kind: 'capacity';
  achievedPerSecond: number[];
  /** The rate axis's ends, calls/s: just beyond the lowest and the highest step. */
  xRange: [number, number];
  /** Latency objectives (`p99 < 5ms`) drawn as horizontal lines, in ms. */
  objectives: { label: string; ms: number }[];
  p50Ms: number[];
  /** null where the step failed. */
  p99PassedMs: (number | null)[];
  /** null where the step passed. */
  p99FailedMs: (number | null)[];
}

export type ChartSpec = PercentileChartSpec | TimelineChartSpec | ShareTimelineChartSpec | CapacityChartSpec;

/** Hands out element ids for charts and keeps their data for the page's JSON. */
export class ChartRegistry {
  readonly #charts: Record<string, ChartSpec> = {};
  #next = 0;

  add(spec: ChartSpec): string {
    const id = `chart-${this.#next++}`;
    this.#charts[id] = spec;
    return id;
  }

  toJSON(): Record<string, ChartSpec> {
    return this.#charts;
  }
}

/** Okabe–Ito colours: distinct for colour-blind readers and on paper. */
export const SERIES_COLOURS = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000'];
