import { TIMELINE_HISTOGRAM_BYTES, timelineIntervalCap } from '../result/timeline.ts';
import { ScenarioError } from './errors.ts';
import { planPhases } from './phase-plan.ts';
import type { LoadedScenario } from './scenario-loader.ts';
import { type ResolvedScenario, SCENARIO_DEFAULTS, serverThreadCount } from './scenario-schema.ts';

/**
 * What a scenario will hold in memory while it runs, estimated before any server starts, so that
 * a scenario within the schema's limits (10,000 calls in flight of 1 MiB each) cannot exhaust the
 * machine. The estimate is deliberately simple and stated here, and in docs/scenarios.md:
 *
 *   calls in flight × copies per call × (payloadBytes + per-call overhead)
 *   + servers × per-server baseline + (server threads + load threads) × per-thread baseline
 *   + (load threads + phases) × timeline intervals × (servers + 1) × per-interval histogram
 *
 * Calls in flight: `load.concurrency` (closed model) or `load.maxInFlight` (open model), times
 * `servers.count` for a broadcast phase, where each call is sent to every server. The timeline:
 * each load thread holds one phase's intervals at a time, the result every phase's, each interval
 * a histogram for the phase and one per server, at most timelineIntervalCap(servers) intervals.
 */

/** Each call in flight holds its payload four times: the client's request frame, the server's decoded request, the server's reply frame, the client's decoded reply. */
export const COPIES_PER_CALL = 4;
/** Per copy of a call: frame header, pending-call entry, promise and timer. */
export const PER_CALL_OVERHEAD_BYTES = 1024;
/** Per simulated server: its listener, connections and generator. */
export const PER_SERVER_BASELINE_BYTES = 1024 * 1024;
/** Per worker thread (server threads and load threads): a V8 isolate and its heap. */
export const PER_THREAD_BASELINE_BYTES = 32 * 1024 * 1024;

export interface MemoryEstimate {
  /** The estimate in bytes. */
  bytes: number;
  /** Calls that may be in flight at once, broadcast fan-out included. */
  callsInFlight: number;
  /** The scenario field that bounds the calls in flight. */
  inFlightField: 'load.concurrency' | 'load.maxInFlight';
  /** Its value. */
  inFlightLimit: number;
  /** Servers each call reaches at once: servers.count with a broadcast phase, else 1. */
  fanOut: number;
  payloadBytes: number;
  /** The part the calls in flight hold, without the baselines. */
  callBytes: number;
  /** The servers' and threads' fixed part. */
  baselineBytes: number;
  /** The timelines' part: the load threads' and the result's interval histograms. */
  timelineBytes: number;
}

export function estimateScenarioMemory(scenario: ResolvedScenario): MemoryEstimate {
  const { load } = scenario;
  const inFlightField = load.model === 'closed' ? 'load.concurrency' : 'load.maxInFlight';
  const inFlightLimit = load.model === 'closed' ? load.concurrency : load.maxInFlight;
  const fanOut = scenario.select.includes('broadcast') ? scenario.servers.count : 1;
  const callsInFlight = inFlightLimit * fanOut;
  const callBytes = callsInFlight * COPIES_PER_CALL * (scenario.payloadBytes + PER_CALL_OVERHEAD_BYTES);
  const threads = serverThreadCount(scenario) + scenario.loadThreads;
  const baselineBytes =
    scenario.servers.count * PER_SERVER_BASELINE_BYTES + threads * PER_THREAD_BASELINE_BYTES;
  const servers = scenario.servers.count;
  const timelineBytes =
    (scenario.loadThreads + planPhases(scenario).length) *
    timelineIntervalCap(servers) *
    (servers + 1) *
    TIMELINE_HISTOGRAM_BYTES;
  return {
    bytes: callBytes + baselineBytes + timelineBytes,
    callsInFlight,
    inFlightField,
    inFlightLimit,
    fanOut,
    payloadBytes: scenario.payloadBytes,
    callBytes,
    baselineBytes,
    timelineBytes,
  };
}

/** The budget a scenario runs under: the override (--memory-budget), its memoryBudgetBytes, or the default. */
export function memoryBudgetOf(scenario: ResolvedScenario, override?: number): number {
  return override ?? scenario.memoryBudgetBytes ?? SCENARIO_DEFAULTS.memoryBudgetBytes;
}

/**
 * Throws a ScenarioError (ERR_INVALID_SCENARIO) naming the file, the in-flight field, payloadBytes
 * and the estimate when the scenario's estimate exceeds its budget. Starts nothing.
 */
export function checkMemoryBudget(loaded: LoadedScenario, budgetOverride?: number): MemoryEstimate {
  const { scenario } = loaded;
  const estimate = estimateScenarioMemory(scenario);
  const budget = memoryBudgetOf(scenario, budgetOverride);
  if (estimate.bytes > budget) {
    const fanOut = estimate.fanOut > 1 ? ` × ${estimate.fanOut} servers (broadcast)` : '';
    const budgetSource =
      budgetOverride !== undefined
        ? '--memory-budget'
        : scenario.memoryBudgetBytes !== undefined
          ? 'memoryBudgetBytes'
          : 'the default memoryBudgetBytes';
    throw new ScenarioError(
      loaded.file,
      estimate.inFlightField,
      `would hold about ${formatBytes(estimate.bytes)} in memory, over ${budgetSource} ` +
        `(${formatBytes(budget)}): ${estimate.inFlightField} (${estimate.inFlightLimit})${fanOut} × ` +
        `${COPIES_PER_CALL} copies × (payloadBytes (${estimate.payloadBytes}) + ${PER_CALL_OVERHEAD_BYTES} B) = ` +
        `${formatBytes(estimate.callBytes)}, plus ${formatBytes(estimate.baselineBytes)} for servers and threads ` +
        `and ${formatBytes(estimate.timelineBytes)} for the timelines. ` +
        'Lower the calls in flight or payloadBytes, or raise memoryBudgetBytes (or --memory-budget).',
    );
  }
  return estimate;
}

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'] as const;

/** `512 MiB`, `40.0 GiB`: binary units, one decimal below 100. */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  const text = unit === 0 || Number.isInteger(value) || value >= 100 ? value.toFixed(0) : value.toFixed(1);
  return `${text} ${UNITS[unit]}`;
}

/** `--memory-budget` values: bytes, or a number with K/KiB, M/MiB, G/GiB, T/TiB (binary). */
export function parseByteSize(text: string): number | null {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(b|k|kib|m|mib|g|gib|t|tib)?\s*$/i.exec(text);
  if (match === null) return null;
  const exponent = { b: 0, k: 1, kib: 1, m: 2, mib: 2, g: 3, gib: 3, t: 4, tib: 4 }[
    (match[2] ?? 'b').toLowerCase() as 'b'
  ];
  const bytes = Math.round(Number(match[1]) * 1024 ** exponent);
  return Number.isSafeInteger(bytes) && bytes > 0 ? bytes : null;
}
