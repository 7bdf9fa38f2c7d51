import { performance } from 'node:perf_hooks';
import { loadScenario } from '../../scenario/scenario-loader.ts';
import type { TargetConfig } from '../../scenario/target-schema.ts';
import { isRpcError } from '../../util/errors.ts';
import type { CorrectnessOutcome } from '../correctness.ts';
import { GateConfigError } from '../errors.ts';
import { measureInterleaved } from '../measure/interleave.ts';
import { type ProbeSpec, probeSpecsFor, RpcProbe } from '../measure/probe.ts';
import type { GateDecision, GateOutcome } from '../run-gate.ts';
import { comparisonTableRow, correctnessTableRow } from '../table.ts';
import { DEFAULT_ALPHA } from '../verdict.ts';
import {
  compareSides,
  type DuetLatencyCurve,
  type DuetLimits,
  type DuetMetricRow,
  latencyCurve,
} from './duet-compare.ts';
import { errorOutcome, newSide, recordWindow, type Side } from './duet-side.ts';
import { processCpuNs } from './proc-cpu.ts';
import { readServerCounts, serverCountOutcome } from './server-counts.ts';
import { type DuetTargetSource, describeDuetTarget, duetServers } from './target-source.ts';

export type { DuetLatencyCurve, DuetMetricRow } from './duet-compare.ts';

/** Both builds share the machine's noise, so a tighter limit on calls/s holds than against a stored baseline. */
export const DEFAULT_DUET_MAX_THROUGHPUT_SLOWDOWN = 0.1;
export const DEFAULT_DUET_PAIRS = 60;
export const DEFAULT_DUET_WARMUP_PAIRS = 6;
/** Further batches of pairs, at most, for a phase with a metric whose interval straddles its limit. */
export const DEFAULT_DUET_REMEASURE = 2;
/** Bounds each window in count as well as in time. */
const MAX_CALLS_PER_WINDOW = 1_000_000;
/** Pairs thrown away before a further batch: the connections have been idle for the comparison. */
const REMEASURE_WARMUP_PAIRS = 1;

export interface DuetOptions extends DuetLimits {
  /** The scenario file: its call, codec, transport, select mode and concurrency. */
  file: string;
  /** The candidate build (B); the scenario's `target` when absent. */
  candidate?: DuetTargetSource;
  /** The baseline build (A). */
  baseline: DuetTargetSource;
  /** Server processes whose CPU time per call is compared, read from /proc. */
  candidatePid?: number;
  baselinePid?: number;
  pairs: number;
  windowMs: number;
  warmupPairs?: number;
  /** Further batches of `pairs` at most for a phase whose verdict is unsure. @default DEFAULT_DUET_REMEASURE */
  remeasure?: number;
  log?: (message: string) => void;
}

export interface DuetDecision extends GateDecision {
  metrics: DuetMetricRow[];
  curves: DuetLatencyCurve[];
}

/** What one phase of the duet gave. */
interface PhaseDuet {
  outcomes: CorrectnessOutcome[];
  metrics: DuetMetricRow[];
  curve: DuetLatencyCurve;
  batches: number;
  notes: string[];
  errorsByCode: Record<'A' | 'B', Record<string, number>>;
}

/**
 * The duet gate: the scenario's calls go to two live builds in alternating short windows from the
 * same caller (A B B A ...), so that each pair of windows shares the machine's state of that moment.
 * Per metric, each pair's figures are divided by their geometric mean before the comparison
 * (bootstrap interval of the ratio of medians, one-sided Mann-Whitney U), which takes out the
 * noise both windows of a pair share. A phase whose interval straddles a limit is measured again.
 * No baseline is stored.
 */
export async function runDuet(options: DuetOptions): Promise<GateOutcome | DuetDecision> {
  const startMs = performance.now();
  try {
    const loaded = await loadScenario(options.file);
    const name = loaded.scenario.name;
    const specs = probeSpecsFor(loaded.scenario, loaded.file);
    const candidate = options.candidate ?? scenarioTarget(loaded.scenario.target);
    if (candidate === undefined) {
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
    const debugUrls = loaded.scenario.target?.debugUrls ?? {};
    const phases: PhaseDuet[] = [];
    for (const spec of specs) {
      phases.push(await measurePhase(name, spec, { ...options, candidate }, debugUrls));
    }
    return decide(options, candidate, phases, (performance.now() - startMs) / 1000);
  } catch (error) {
    if (isRpcError(error)) return { verdict: 'unusable', message: (error as Error).message };
    throw error;
  }
}

/** The scenario's own target as a duet build: its addresses, registry or etcd. */
function scenarioTarget(target: TargetConfig | undefined): DuetTargetSource | undefined {
  if (target?.addresses !== undefined) return { kind: 'addresses', addresses: target.addresses };
  if (target?.registry !== undefined) return { kind: 'registry', url: target.registry };
  if (target?.etcd !== undefined) return { kind: 'etcd', ...target.etcd };
  return undefined;
}

async function connect(spec: ProbeSpec, source: DuetTargetSource): Promise<RpcProbe> {
  const { servers, addresses } = duetServers(source);
  return RpcProbe.connect({ ...spec, setup: { ...spec.setup, servers } }, addresses);
}

type PhaseOptions = DuetOptions & { candidate: DuetTargetSource };

/** Measures one phase: a batch of pairs, and more batches while a verdict is unsure (bounded). */
async function measurePhase(
  scenario: string,
  spec: ProbeSpec,
  options: PhaseOptions,
  debugUrls: Readonly<Record<string, string>>,
): Promise<PhaseDuet> {
  const log = options.log ?? (() => {});
  const where = { scenario, phase: spec.label };
  log(
    `duet ${scenario} › ${spec.label}: ${options.pairs} pairs of ${options.windowMs} ms windows, A ${describeDuetTarget(options.baseline)} and B ${describeDuetTarget(options.candidate)}`,
  );
  const [a, b] = await Promise.all([connect(spec, options.baseline), connect(spec, options.candidate)]);
  const sides = { A: newSide('A', a, options.baselinePid), B: newSide('B', b, options.candidatePid) };
  const method = spec.setup.call.method;
  const countsOf = async (probe: RpcProbe) => readServerCounts(await probe.servers(), method, debugUrls);
  let batches = 1;
  try {
    const before = await Promise.all([countsOf(a), countsOf(b)]);
    await measureBatch(sides, spec, options, options.warmupPairs ?? DEFAULT_DUET_WARMUP_PAIRS);
    for (let extra = 0; extra < (options.remeasure ?? DEFAULT_DUET_REMEASURE); extra++) {
      const unsure = compareSides(where, sides.A, sides.B, options).filter(
        (row) => row.comparison.verdict === 'unsure',
      );
      if (unsure.length === 0) break;
      log(
        `duet ${scenario} › ${spec.label}: ${unsure.map((row) => row.metric).join(', ')} unsure, ${options.pairs} more pairs`,
      );
      await measureBatch(sides, spec, options, REMEASURE_WARMUP_PAIRS);
      batches++;
    }
    const after = await Promise.all([countsOf(a), countsOf(b)]);
    const outcomes = [
      errorOutcome(scenario, spec.label, sides.A),
      errorOutcome(scenario, spec.label, sides.B),
    ];
    const notes: string[] = [];
    for (const [index, side] of [sides.A, sides.B].entries()) {
      const counted = serverCountOutcome(
        scenario,
        spec.label,
        side,
        before[index]!,
        after[index]!,
        b.broadcast,
      );
      if (counted === undefined)
        notes.push(
          `${scenario} › ${spec.label} › ${side.name}: no GeeRPC debug page read (serve it over http@ or give target.debugUrls): client-side counts only.`,
        );
      else outcomes.push(counted);
    }
    return {
      outcomes,
      metrics: compareSides(where, sides.A, sides.B, options),
      curve: latencyCurve(spec.label, sides.A, sides.B),
      batches,
      notes,
      errorsByCode: { A: errorCounts(sides.A), B: errorCounts(sides.B) },
    };
  } finally {
    await Promise.allSettled([a.close(), b.close()]);
  }
}

/** One batch of alternating windows, its first `warmupPairs` pairs thrown away. */
async function measureBatch(
  sides: Record<'A' | 'B', Side>,
  spec: ProbeSpec,
  options: PhaseOptions,
  warmupPairs: number,
): Promise<void> {
  let window = 0;
  await measureInterleaved(sides.B.calls, sides.A.calls, {
    pairs: options.pairs,
    warmupPairs,
    windowMs: options.windowMs,
    concurrency: spec.concurrency,
    maxCallsPerWindow: MAX_CALLS_PER_WINDOW,
    keepErrors: true,
    onWindow: (workload, measurement) => {
      const side = workload === 'rpc' ? sides.B : sides.A;
      recordWindow(side, measurement, window++ >= warmupPairs * 2);
    },
  });
}

function errorCounts(side: Side): Record<string, number> {
  return Object.fromEntries([...side.calls.errors].map(([code, group]) => [code, group.count]));
}

function decide(
  options: DuetOptions,
  candidate: DuetTargetSource,
  phases: readonly PhaseDuet[],
  took: number,
): DuetDecision {
  const metrics = phases.flatMap((phase) => phase.metrics);
  const rows = [
    ...phases.flatMap((phase) => phase.outcomes).map(correctnessTableRow),
    ...metrics.map((row) =>
      comparisonTableRow(`${row.scenario} › ${row.phase} › B ÷ A ${row.label}`, {
        ...row,
        samples: { baseline: row.ratios.length, now: row.ratios.length },
      }),
    ),
  ];
  const passed = rows.every((row) => !row.failed);
  const remeasured = phases.filter((phase) => phase.batches > 1);
  return {
    verdict: passed ? 'pass' : 'fail',
    passed,
    rows,
    notes: [
      `Duet: A (baseline) ${describeDuetTarget(options.baseline)}; B (candidate) ${describeDuetTarget(candidate)}.`,
      `Timings: ${options.pairs} pairs of ${options.windowMs} ms windows per phase after ${options.warmupPairs ?? DEFAULT_DUET_WARMUP_PAIRS} warm-up pairs, A and B in turn (A B B A ...) from the same callers; each pair gives a ratio B ÷ A.`,
      `Verdict: a regression when the bootstrap 95 % interval of the ratio of medians (B ÷ A, each pair divided by its geometric mean) lies beyond the limit and a one-sided Mann-Whitney U test gives p < ${DEFAULT_ALPHA}; a phase whose interval straddles a limit gets ${options.pairs} more pairs, at most ${options.remeasure ?? DEFAULT_DUET_REMEASURE} times; one still straddling it then passes, shown as unsure.`,
      ...remeasured.map(
        (phase) => `${phase.curve.phase}: measured in ${phase.batches} batches (unsure after the first).`,
      ),
      ...phases.flatMap((phase) => phase.notes),
      `Duet run took ${took.toFixed(1)} s.`,
    ],
    performance: [],
    jsonExtra: {
      elapsedS: took,
      duet: metrics.map(({ comparison, ...row }) => ({ ...row, ...comparison })),
      phases: phases.map((phase) => ({
        phase: phase.curve.phase,
        batches: phase.batches,
        errorsByCode: phase.errorsByCode,
      })),
    },
    metrics,
    curves: phases.map((phase) => phase.curve),
  };
}
