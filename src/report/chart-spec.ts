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

/** One timeline: the phase's or one server's, interval by interval. */
export interface TimelineView {
  /** Interval starts, seconds from the phase start. */
  seconds: number[];
  callsPerSecond: number[];
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
}

export type ChartSpec = PercentileChartSpec | TimelineChartSpec;

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
