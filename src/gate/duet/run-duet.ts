import { performance } from 'node:perf_hooks';
import { loadScenario } from '../../scenario/scenario-loader.ts';
import { median, quantileSorted, sortAscending } from '../../stats/descriptive.ts';
import { isRpcError } from '../../util/errors.ts';
import type { CorrectnessOutcome } from '../correctness.ts';
import { GateConfigError } from '../errors.ts';
import { measureInterleaved } from '../measure/interleave.ts';
import { type ProbeSpec, probeSpecsFor, RpcProbe } from '../measure/probe.ts';
import type { WindowMeasurement, WindowWorkload } from '../measure/window.ts';
import type { GateDecision, GateOutcome } from '../run-gate.ts';
import { comparisonTableRow, correctnessTableRow } from '../table.ts';
import { compareMetric, type MetricComparison, type MetricDirection } from '../verdict.ts';
import { processCpuNs } from './proc-cpu.ts';

/** Both builds share the machine's noise, so a tighter limit on calls/s holds than against a stored baseline. */
export const DEFAULT_DUET_MAX_THROUGHPUT_SLOWDOWN = 0.1;
export const DEFAULT_DUET_PAIRS = 60;
export const DEFAULT_DUET_WARMUP_PAIRS = 6;
/** Bounds each slice in count as well as in time. */
const MAX_CALLS_PER_SLICE = 1_000_000;

export type DuetMetricName = 'callsPerSecond' | 'p50' | 'p99' | 'cpuPerCall';

const METRICS: Record<DuetMetricName, { label: string; unit: string; direction: MetricDirection }> = {
  callsPerSecond: { label: 'calls/s (higher is better)', unit: 'calls/s', direction: 'higher-is-better' },
  p50: { label: 'p50 latency (lower is better)', unit: 'ms', direction: 'lower-is-better' },
  p99: { label: 'p99 latency (lower is better)', unit: 'ms', direction: 'lower-is-better' },
  cpuPerCall: { label: 'server CPU per call (lower is better)', unit: 'µs', direction: 'lower-is-better' },
};

export interface DuetOptions {
  /** The scenario file: its call, codec, transport, select mode and concurrency. */
  file: string;
  /** The candidate build (B): these addresses, or else the scenario's `target`. */
  candidate?: string[];
  /** The baseline build (A). */
  baseline: string[];
  /** Server processes whose CPU time per call is compared, read from /proc. */
  candidatePid?: number;
  baselinePid?: number;
  /** Largest slowdown tolerated in latency and CPU per call. */
  maxSlowdown: number;
  maxThroughputSlowdown: number;
  pairs: number;
  sliceMs: number;
  warmupPairs?: number;
  log?: (message: string) => void;
}

/** One metric of one phase: the paired ratios B ÷ A and their verdict. */
export interface DuetMetricRow {
  scenario: string;
  phase: string;
  metric: DuetMetricName;
  label: string;
  unit: string;
  maxSlowdown: number;
  /** Per pair of slices: B's figure ÷ A's, side by side in time. */
  ratios: number[];
  /** Medians shown are A's and B's own figures; ratio and interval are of the pair-normalised samples. */
  comparison: MetricComparison;
}

/** A/B latency percentiles of one phase, every call of the measured slices. */
export interface DuetLatencyCurve {
  phase: string;
  percentiles: number[];
  baselineMs: number[];
  candidateMs: number[];
}

export interface DuetDecision extends GateDecision {
  metrics: DuetMetricRow[];
  curves: DuetLatencyCurve[];
}

/** Times each successful call and keeps the latencies of the slice under way. */
class TimedCalls implements WindowWorkload {
  latenciesMs: number[] = [];
  constructor(readonly inner: RpcProbe) {}
  async call(): Promise<unknown> {
    const start = performance.now();
    const reply = await this.inner.call();
    this.latenciesMs.push(performance.now() - start);
    return reply;
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

interface SliceFigures {
  callsPerSecond: number;
  p50: number;
  p99: number;
  cpuPerCall: number | undefined;
  latenciesMs: number[];
}

/** One side of the duet: its calls, its server's CPU clock, the figures of each slice. */
interface Side {
  name: 'A' | 'B';
  calls: TimedCalls;
  pid: number | undefined;
  lastCpuNs: number;
  slices: SliceFigures[];
  errors: number;
  answered: number;
  firstError: string | undefined;
}

/**
 * The duet gate: the scenario's calls go to two live builds in alternating short slices from the
 * same caller (A B B A ...), so that each pair of slices shares the machine's state of that moment.
 * Per metric, each pair's figures are divided by their geometric mean before the comparison
 * (bootstrap interval of the ratio of medians, one-sided Mann-Whitney U), which takes out the
 * noise both slices of a pair share. No baseline is stored.
 */
export async function runDuet(options: DuetOptions): Promise<GateOutcome | DuetDecision> {
  const log = options.log ?? (() => {});
  const startMs = performance.now();
  let specs: ProbeSpec[];
  let name: string;
  try {
    const loaded = await loadScenario(options.file);
    name = loaded.scenario.name;
    specs = probeSpecsFor(loaded.scenario, loaded.file);
    const fixed = options.candidate ?? loaded.scenario.target?.addresses;
    if (fixed === undefined && specs.every((spec) => spec.setup.servers.kind === 'addresses')) {
      throw new GateConfigError(
        `${loaded.file}: the candidate has no address: give the scenario a target or --target`,
      );
    }
    if (specs.length === 0) {
      throw new GateConfigError(
        `${loaded.file}: no phase keeps its connections (reuseClients), nothing to time`,
      );
    }
    for (const pid of [options.candidatePid, options.baselinePid]) if (pid !== undefined) processCpuNs(pid);
    const candidateAddresses = fixed ?? [];
    const metrics: DuetMetricRow[] = [];
    const curves: DuetLatencyCurve[] = [];
    const outcomes: CorrectnessOutcome[] = [];
    for (const spec of specs) {
      log(
        `duet ${name} › ${spec.label}: ${options.pairs} pairs of ${options.sliceMs} ms slices, A ${options.baseline.join(',')} and B ${candidateAddresses.join(',') || 'as the scenario finds it'}`,
      );
      const baselineSpec: ProbeSpec = { ...spec, setup: { ...spec.setup, servers: { kind: 'addresses' } } };
      const candidateSpec: ProbeSpec = options.candidate === undefined ? spec : baselineSpec;
      const [a, b] = await Promise.all([
        RpcProbe.connect(baselineSpec, options.baseline),
        RpcProbe.connect(candidateSpec, candidateAddresses),
      ]);
      const sides = {
        A: newSide('A', a, options.baselinePid),
        B: newSide('B', b, options.candidatePid),
      };
      try {
        const warmupPairs = options.warmupPairs ?? DEFAULT_DUET_WARMUP_PAIRS;
        let slice = 0;
        await measureInterleaved(sides.B.calls, sides.A.calls, {
          pairs: options.pairs,
          warmupPairs,
          windowMs: options.sliceMs,
          concurrency: spec.concurrency,
          maxCallsPerWindow: MAX_CALLS_PER_SLICE,
          keepErrors: true,
          onWindow: (workload, measurement) => {
            const side = workload === 'rpc' ? sides.B : sides.A;
            recordSlice(side, measurement, slice++ >= warmupPairs * 2);
          },
        });
      } finally {
        await Promise.allSettled([a.close(), b.close()]);
      }
      for (const side of [sides.A, sides.B]) outcomes.push(errorOutcome(name, spec.label, side));
      metrics.push(...compareSides(name, spec.label, sides.A, sides.B, options));
      curves.push(latencyCurve(spec.label, sides.A, sides.B));
    }
    const took = (performance.now() - startMs) / 1000;
    const rows = [
      ...outcomes.map(correctnessTableRow),
      ...metrics.map((row) =>
        comparisonTableRow(`${row.scenario} › ${row.phase} › B ÷ A ${row.label}`, {
          ...row,
          samples: { baseline: row.ratios.length, now: row.ratios.length },
        }),
      ),
    ];
    const passed = rows.every((row) => !row.failed);
    return {
      verdict: passed ? 'pass' : 'fail',
      passed,
      rows,
      notes: [
        `Duet: A (baseline) ${options.baseline.join(', ')}; B (candidate) ${candidateAddresses.join(', ') || 'found by the scenario'}.`,
        `Timings: ${options.pairs} pairs of ${options.sliceMs} ms slices per phase after ${options.warmupPairs ?? DEFAULT_DUET_WARMUP_PAIRS} warm-up pairs, A and B in turn (A B B A ...) from the same callers; each pair gives a ratio B ÷ A.`,
        'Verdict: a regression when the bootstrap 95 % interval of the ratio of medians (B ÷ A, each pair divided by its geometric mean) lies beyond the limit and a one-sided Mann-Whitney U test gives p < 0.01.',
        `Duet run took ${took.toFixed(1)} s.`,
      ],
      performance: [],
      jsonExtra: {
        elapsedS: took,
        duet: metrics.map(({ comparison, ...row }) => ({ ...row, ...comparison })),
      },
      metrics,
      curves,
    };
  } catch (error) {
    if (isRpcError(error)) return { verdict: 'unusable', message: (error as Error).message };
    throw error;
  }
}

function newSide(name: 'A' | 'B', probe: RpcProbe, pid: number | undefined): Side {
  return {
    name,
    calls: new TimedCalls(probe),
    pid,
    lastCpuNs: pid === undefined ? 0 : processCpuNs(pid),
    slices: [],
    errors: 0,
    answered: 0,
    firstError: undefined,
  };
}

function recordSlice(side: Side, measurement: WindowMeasurement, kept: boolean): void {
  const latencies = sortAscending(side.calls.latenciesMs);
  side.calls.latenciesMs = [];
  // The server's CPU since this side's previous slice: the other side's slice in between left it idle.
  let cpuPerCall: number | undefined;
  if (side.pid !== undefined) {
    const now = processCpuNs(side.pid);
    cpuPerCall = measurement.calls > 0 ? (now - side.lastCpuNs) / 1000 / measurement.calls : undefined;
    side.lastCpuNs = now;
  }
  side.errors += measurement.errors;
  side.answered += measurement.calls;
  side.firstError ??= measurement.firstError;
  if (!kept || measurement.calls === 0) return;
  side.slices.push({
    callsPerSecond: (measurement.calls * 1000) / measurement.wallMs,
    p50: quantileSorted(latencies, 0.5),
    p99: quantileSorted(latencies, 0.99),
    cpuPerCall,
    latenciesMs: latencies,
  });
}

function errorOutcome(scenario: string, phase: string, side: Side): CorrectnessOutcome {
  const total = side.answered + side.errors;
  return {
    scenario,
    phase: `${phase} › ${side.name}`,
    check: 'call-errors',
    expected: 'no call fails (errors and call.check)',
    actual:
      side.errors === 0
        ? `${side.answered} of ${total} answered`
        : `${side.errors} of ${total} failed, first: ${side.firstError}`,
    passed: side.errors === 0 && side.answered > 0,
  };
}

function compareSides(
  scenario: string,
  phase: string,
  a: Side,
  b: Side,
  options: DuetOptions,
): DuetMetricRow[] {
  const pairs = Math.min(a.slices.length, b.slices.length);
  const rows: DuetMetricRow[] = [];
  for (const metric of Object.keys(METRICS) as DuetMetricName[]) {
    const aValues: number[] = [];
    const bValues: number[] = [];
    for (let i = 0; i < pairs; i++) {
      const x = a.slices[i]![metric];
      const y = b.slices[i]![metric];
      if (x === undefined || y === undefined || !(x > 0) || !(y > 0)) continue;
      aValues.push(x);
      bValues.push(y);
    }
    if (aValues.length < 3) continue;
    const { label, unit, direction } = METRICS[metric];
    const maxSlowdown = metric === 'callsPerSecond' ? options.maxThroughputSlowdown : options.maxSlowdown;
    // Each pair divided by its geometric mean: what both slices shared drops out, B ÷ A stays.
    const mean = aValues.map((x, i) => Math.sqrt(x * bValues[i]!));
    const comparison = compareMetric(
      bValues.map((y, i) => y / mean[i]!),
      aValues.map((x, i) => x / mean[i]!),
      { direction, maxSlowdown, final: true },
    );
    rows.push({
      scenario,
      phase,
      metric,
      label,
      unit,
      maxSlowdown,
      ratios: bValues.map((y, i) => y / aValues[i]!),
      comparison: { ...comparison, baselineMedian: median(aValues), nowMedian: median(bValues) },
    });
  }
  return rows;
}

const CURVE_PERCENTILES = [0, 10, 25, 50, 75, 90, 95, 99, 99.9];

function latencyCurve(phase: string, a: Side, b: Side): DuetLatencyCurve {
  const all = (side: Side): number[] => sortAscending(side.slices.flatMap((slice) => slice.latenciesMs));
  const [sortedA, sortedB] = [all(a), all(b)];
  return {
    phase,
    percentiles: CURVE_PERCENTILES,
    baselineMs: CURVE_PERCENTILES.map((p) => quantileSorted(sortedA, p / 100)),
    candidateMs: CURVE_PERCENTILES.map((p) => quantileSorted(sortedB, p / 100)),
  };
}
