import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { decodeHistogram } from '../../../result/histogram.ts';
import type { HistogramRecord, PhaseResult } from '../../../result/result-schema.ts';
import type { LiveFigures } from '../phase-recorder.ts';
import { type Labels, type MetricFamily, renderExposition, type Sample } from './exposition.ts';
import {
  addBuckets,
  bucketsOf,
  emptyBuckets,
  LATENCY_BUCKET_BOUNDS_SECONDS,
  type LatencyBuckets,
} from './latency-buckets.ts';

/** How often a load thread sends its figures: encoding them costs some 0.4 ms per server. */
export const LIVE_FIGURES_INTERVAL_MS = 1_000;

/** What the runner tells of a phase about to run. */
export interface LivePhaseInfo {
  scenario: string;
  phase: string;
  addresses: readonly string[];
  threads: number;
}

/** One phase's live channel: a port per load thread, to go with its task; end() sets the final figures. */
export interface LivePhase {
  readonly ports: readonly MessagePort[];
  /** The phase's result, whose figures replace the live ones; null when it measured nothing. */
  end(result: PhaseResult | null): void;
}

/** Where the runner sends the live figures of each phase; see LiveMetrics. */
export interface LiveMetricsSink {
  openPhase(info: LivePhaseInfo): LivePhase;
}

interface Figures {
  calls: number;
  errorsByCode: Map<string, number>;
  inFlight: number;
  /** By address: calls sent to it (failed ones included) and its successful calls' latencies. */
  servers: Map<string, { calls: number; latency: LatencyBuckets }>;
}

interface PhaseState {
  info: LivePhaseInfo;
  /** Each load thread's latest figures (cumulative over the phase), until the result replaces them. */
  threads: (Figures | undefined)[];
  final: Figures | undefined;
}

/**
 * The figures `/metrics` serves. During a phase each load thread posts its cumulative figures
 * through a MessagePort, about once a second, from its timer and never per call (phase-recorder's
 * liveFigures(): counts, and the per-server latencies of the intervals closed since its last post);
 * this main-thread side adds the latencies up as buckets and sums the threads' latest. When the phase ends its result replaces the live figures,
 * so that the values served afterwards are exactly the result file's.
 */
export class LiveMetrics implements LiveMetricsSink {
  readonly #phases: PhaseState[] = [];
  #finalized = 0;

  openPhase(info: LivePhaseInfo): LivePhase {
    // The same scenario run again in one bench run reuses its labels: its series start over (a
    // counter reset, which Prometheus handles) rather than appear twice, which fails the scrape.
    const previous = this.#phases.findIndex(
      (other) => other.info.scenario === info.scenario && other.info.phase === info.phase,
    );
    if (previous !== -1) this.#phases.splice(previous, 1);
    const state: PhaseState = {
      info,
      threads: Array.from({ length: info.threads }, () => undefined),
      final: undefined,
    };
    this.#phases.push(state);
    const channels = Array.from({ length: info.threads }, () => new MessageChannel());
    channels.forEach(({ port1 }, thread) => {
      port1.on('message', (figures: LiveFigures) => {
        if (state.final === undefined) state.threads[thread] = fromLive(figures, state.threads[thread]);
      });
    });
    let ended = false;
    return {
      ports: channels.map((channel) => channel.port2),
      end: (result) => {
        if (ended) return;
        ended = true;
        for (const { port1 } of channels) port1.close();
        if (result === null) {
          // Nothing was measured: no series for it rather than figures no result file holds.
          const at = this.#phases.indexOf(state);
          if (at !== -1) this.#phases.splice(at, 1);
        } else {
          state.final = fromResult(result);
          state.threads = [];
        }
        this.#finalized++;
      },
    };
  }

  /** Counts the phases ended; a scrape after a change to it has the final figures of those phases. */
  get finalizedPhases(): number {
    return this.#finalized;
  }

  /** The current figures in the Prometheus text format. */
  render(): string {
    const calls: Sample[] = [];
    const errors: Sample[] = [];
    const inFlight: Sample[] = [];
    const complete: Sample[] = [];
    const serverCalls: Sample[] = [];
    const latency: Sample[] = [];
    for (const state of this.#phases) {
      const labels = { scenario: state.info.scenario, phase: state.info.phase };
      const figures = state.final ?? sumThreads(state);
      calls.push({ labels, value: figures.calls });
      for (const [code, count] of figures.errorsByCode)
        errors.push({ labels: { ...labels, code }, value: count });
      inFlight.push({ labels, value: figures.inFlight });
      complete.push({ labels, value: state.final === undefined ? 0 : 1 });
      for (const address of state.info.addresses) {
        const server = figures.servers.get(address) ?? { calls: 0, latency: emptyBuckets() };
        const serverLabels = { ...labels, server: address };
        serverCalls.push({ labels: serverLabels, value: server.calls });
        latency.push(...histogramSamples(serverLabels, server.latency));
      }
    }
    const families: MetricFamily[] = [
      {
        name: 'rpcbench_calls_total',
        help: 'Calls completed in the measured phase, failed ones included (the result file\'s "calls").',
        type: 'counter',
        samples: calls,
      },
      {
        name: 'rpcbench_call_errors_total',
        help: 'Failed calls by error code (the result file\'s "errorsByCode").',
        type: 'counter',
        samples: errors,
      },
      {
        name: 'rpcbench_calls_in_flight',
        help: "Calls started and not yet settled on the load threads' XClients; 0 once the phase ended.",
        type: 'gauge',
        samples: inFlight,
      },
      {
        name: 'rpcbench_phase_complete',
        help: "1 once the phase ended and its figures are the result file's, 0 while it is measured.",
        type: 'gauge',
        samples: complete,
      },
      {
        name: 'rpcbench_server_calls_total',
        help: 'Calls the load threads sent to each server, failed ones included (the result\'s "clientCount").',
        type: 'counter',
        samples: serverCalls,
      },
      {
        name: 'rpcbench_call_duration_seconds',
        help: 'Latency of the successful calls to each server, from the intended start to the reply.',
        type: 'histogram',
        samples: latency,
      },
    ];
    return renderExposition(families);
  }
}

function histogramSamples(labels: Labels, buckets: LatencyBuckets): Sample[] {
  return [
    ...LATENCY_BUCKET_BOUNDS_SECONDS.map((bound, index) => ({
      suffix: '_bucket',
      labels: { ...labels, le: String(bound) },
      value: buckets.cumulative[index]!,
    })),
    { suffix: '_bucket', labels: { ...labels, le: '+Inf' }, value: buckets.count },
    { suffix: '_sum', labels, value: buckets.sumSeconds },
    { suffix: '_count', labels, value: buckets.count },
  ];
}

function decodeBuckets(encoded: string): LatencyBuckets {
  const histogram = decodeHistogram(encoded);
  try {
    return bucketsOf(histogram);
  } finally {
    histogram.destroy();
  }
}

/** Counts come whole; latencies only for the intervals closed since the thread's previous figures. */
function fromLive(figures: LiveFigures, previous: Figures | undefined): Figures {
  const servers = new Map<string, { calls: number; latency: LatencyBuckets }>();
  for (const [address, server] of previous?.servers ?? []) {
    servers.set(address, { calls: server.calls, latency: server.latency });
  }
  figures.addresses.forEach((address, index) => {
    const latency = servers.get(address)?.latency ?? emptyBuckets();
    for (const encoded of figures.serverHistograms[index] ?? []) addBuckets(latency, decodeBuckets(encoded));
    servers.set(address, { calls: figures.clientCounts[index] ?? 0, latency });
  });
  return {
    calls: figures.calls,
    errorsByCode: new Map(Object.entries(figures.errorsByCode)),
    inFlight: figures.inFlight,
    servers,
  };
}

function fromResult(result: PhaseResult): Figures {
  const bucketsOfRecord = (record: HistogramRecord) =>
    record.summary.count === 0 ? emptyBuckets() : decodeBuckets(record.encoded);
  return {
    calls: result.calls,
    errorsByCode: new Map(Object.entries(result.errorsByCode)),
    inFlight: 0,
    servers: new Map(
      result.servers.map((server) => [
        server.address,
        { calls: server.clientCount, latency: bucketsOfRecord(server.latency) },
      ]),
    ),
  };
}

function sumThreads(state: PhaseState): Figures {
  const total: Figures = { calls: 0, errorsByCode: new Map(), inFlight: 0, servers: new Map() };
  for (const figures of state.threads) {
    if (figures === undefined) continue;
    total.calls += figures.calls;
    total.inFlight += figures.inFlight;
    for (const [code, count] of figures.errorsByCode)
      total.errorsByCode.set(code, (total.errorsByCode.get(code) ?? 0) + count);
    for (const [address, server] of figures.servers) {
      let sum = total.servers.get(address);
      if (sum === undefined) {
        sum = { calls: 0, latency: emptyBuckets() };
        total.servers.set(address, sum);
      }
      sum.calls += server.calls;
      addBuckets(sum.latency, server.latency);
    }
  }
  return total;
}
