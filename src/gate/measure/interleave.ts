import { median } from '../../stats/descriptive.ts';
import { GateMeasurementError } from '../errors.ts';
import type { PhaseSamples } from '../samples.ts';
import { measureWindow, type WindowLimits, type WindowMeasurement, type WindowWorkload } from './window.ts';

export interface InterleaveOptions {
  /** Pairs of windows (one RPC, one reference) that are recorded. */
  pairs: number;
  /** Pairs run first and thrown away: the JIT compiles, buffers and pools reach their sizes. */
  warmupPairs: number;
  /** Length of each window. */
  windowMs: number;
  /** Operations in flight in both workloads. */
  concurrency: number;
  /** No window starts more operations than this. */
  maxCallsPerWindow: number;
  /** Failed calls are counted instead of failing the measurement (a duet reports them as rows). @default false */
  keepErrors?: boolean;
  /** Called after every window, before the next starts: the duet reads the window's latencies here. */
  onWindow?: (workload: 'rpc' | 'reference', measurement: WindowMeasurement) => void;
}

/** One RPC window and the reference window next to it. */
export interface WindowPair {
  rpc: WindowMeasurement;
  reference: WindowMeasurement;
}

/**
 * Alternates short windows of the RPC probe and the reference, A B B A A B ..., so that each pair
 * shares the machine's state of that moment (other processes, clock speed, caches) and neither
 * workload always goes first. Any failed call fails the measurement: a probe call must not fail.
 */
export async function measureInterleaved(
  rpc: WindowWorkload,
  reference: WindowWorkload,
  options: InterleaveOptions,
): Promise<WindowPair[]> {
  const limits: WindowLimits = {
    concurrency: options.concurrency,
    durationMs: options.windowMs,
    maxCalls: options.maxCallsPerWindow,
  };
  const pairs: WindowPair[] = [];
  const total = options.warmupPairs + options.pairs;
  for (let index = 0; index < total; index++) {
    const rpcFirst = index % 2 === 0;
    const first = await measureWindow(rpcFirst ? rpc : reference, limits);
    options.onWindow?.(rpcFirst ? 'rpc' : 'reference', first);
    const second = await measureWindow(rpcFirst ? reference : rpc, limits);
    options.onWindow?.(rpcFirst ? 'reference' : 'rpc', second);
    const pair = rpcFirst ? { rpc: first, reference: second } : { rpc: second, reference: first };
    if (options.keepErrors !== true) {
      check(pair.rpc, 'RPC probe');
      check(pair.reference, 'reference');
    }
    if (index >= options.warmupPairs) pairs.push(pair);
  }
  return pairs;
}

/** Reduces pairs to the per-pair ratios the comparison works on. */
export function toPhaseSamples(phase: string, pairs: readonly WindowPair[]): PhaseSamples {
  const cpuPerCall = (m: WindowMeasurement): number => m.cpuUs / m.calls;
  const callsPerSecond = (m: WindowMeasurement): number => (m.calls * 1000) / m.wallMs;
  return {
    phase,
    cost: pairs.map((pair) => cpuPerCall(pair.rpc) / cpuPerCall(pair.reference)),
    throughput: pairs.map((pair) => callsPerSecond(pair.rpc) / callsPerSecond(pair.reference)),
    raw: {
      rpcCallsPerSecond: median(pairs.map((pair) => callsPerSecond(pair.rpc))),
      rpcCpuUsPerCall: median(pairs.map((pair) => cpuPerCall(pair.rpc))),
      referenceCallsPerSecond: median(pairs.map((pair) => callsPerSecond(pair.reference))),
      referenceCpuUsPerCall: median(pairs.map((pair) => cpuPerCall(pair.reference))),
    },
  };
}

/** Joins samples of the same phase measured in two batches (a re-measurement). */
export function mergePhaseSamples(first: PhaseSamples, second: PhaseSamples): PhaseSamples {
  const weight = first.cost.length / (first.cost.length + second.cost.length);
  const mix = (a: number, b: number): number => a * weight + b * (1 - weight);
  return {
    phase: first.phase,
    cost: [...first.cost, ...second.cost],
    throughput: [...first.throughput, ...second.throughput],
    raw: {
      rpcCallsPerSecond: mix(first.raw.rpcCallsPerSecond, second.raw.rpcCallsPerSecond),
      rpcCpuUsPerCall: mix(first.raw.rpcCpuUsPerCall, second.raw.rpcCpuUsPerCall),
      referenceCallsPerSecond: mix(first.raw.referenceCallsPerSecond, second.raw.referenceCallsPerSecond),
      referenceCpuUsPerCall: mix(first.raw.referenceCpuUsPerCall, second.raw.referenceCpuUsPerCall),
    },
  };
}

function check(measurement: WindowMeasurement, what: string): void {
  if (measurement.errors > 0) {
    throw new GateMeasurementError(
      `${what}: ${measurement.errors} of ${measurement.calls + measurement.errors} calls failed, first: ${measurement.firstError}`,
    );
  }
  if (measurement.calls === 0 || measurement.cpuUs <= 0 || measurement.wallMs <= 0) {
    throw new GateMeasurementError(`${what}: a window completed no calls`);
  }
}
