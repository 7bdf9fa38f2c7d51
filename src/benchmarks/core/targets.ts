import { median } from '../../stats/descriptive.ts';
import { type CaseKind, caseId } from './cases.ts';

/** The medians a target reads, and each round's calls/s and CPU per call. */
export interface CaseFigures {
  callsPerSecond: number;
  p99Us: number;
  /** One per round, in round order: a ratio is taken within each round. */
  runs: readonly RoundFigures[];
}

interface RoundFigures {
  callsPerSecond: number;
  cpuUsPerCall: number;
}

export interface TargetOutcome {
  /** As a person reads it, e.g. `msgpack@64 calls/s ≥ 10× grpc@64`. */
  expression: string;
  /**
   * The measured ratio (or p99 in ms), null when a case it needs was not run. A ratio is the
   * median of the rounds' ratios, each taken between runs of one round: the machine's load
   * moves calls/s of every case between rounds, and cancels out of a ratio within one.
   */
  actual: number | null;
  /** The ratio in each round where both cases made calls (empty for a p99 target). */
  roundRatios: number[];
  /** A floor for calls/s, a ceiling for CPU per call and for p99. */
  threshold: number;
  /** How `actual` is shown: a multiple, a percentage or milliseconds. */
  unit: 'x' | '%' | 'ms';
  passed: boolean | null;
}

const MEASURED_IN_FLIGHT = 64;

interface RatioTarget {
  kind: 'ratio';
  subject: CaseKind;
  reference: CaseKind;
  atLeast: number;
  unit: 'x' | '%';
}
/** The subject's CPU per call, a multiple of the reference's: the cost of a codec, side by side. */
interface CpuTarget {
  kind: 'cpu';
  subject: CaseKind;
  reference: CaseKind;
  atMost: number;
}
interface P99Target {
  kind: 'p99';
  subject: CaseKind;
  belowMs: number;
}

/** One connection, 64 calls in flight, Bench.Echo with a 100-byte payload. */
const TARGETS: readonly (RatioTarget | CpuTarget | P99Target)[] = [
  { kind: 'ratio', subject: 'msgpack', reference: 'grpc', atLeast: 10, unit: 'x' },
  { kind: 'ratio', subject: 'msgpack', reference: 'raw', atLeast: 0.3, unit: '%' },
  { kind: 'p99', subject: 'msgpack', belowMs: 0.5 },
  { kind: 'p99', subject: 'json', belowMs: 0.5 },
  { kind: 'ratio', subject: 'json', reference: 'raw', atLeast: 0.2, unit: '%' },
  { kind: 'ratio', subject: 'gob', reference: 'msgpack', atLeast: 0.7, unit: '%' },
  // msgpack, the default, and JSON must not cost much more per call than gob, the cheapest.
  { kind: 'cpu', subject: 'msgpack', reference: 'gob', atMost: 1.1 },
  { kind: 'cpu', subject: 'json', reference: 'gob', atMost: 1.4 },
  // The load generator must never be what limits a measurement of a Go server.
  { kind: 'ratio', subject: 'go-server', reference: 'go-client', atLeast: 1, unit: 'x' },
];

export function evaluateTargets(figures: ReadonlyMap<string, CaseFigures>): TargetOutcome[] {
  return TARGETS.map((target) => {
    const subject = figures.get(caseId(target.subject, MEASURED_IN_FLIGHT));
    const subjectId = caseId(target.subject, MEASURED_IN_FLIGHT);
    if (target.kind === 'p99') {
      const actual = subject === undefined ? null : subject.p99Us / 1000;
      return {
        expression: `${subjectId} p99 < ${target.belowMs} ms`,
        actual,
        threshold: target.belowMs,
        unit: 'ms' as const,
        roundRatios: [],
        // A case whose calls all failed has no latency to speak of: that is no pass.
        passed: actual === null ? null : subject!.callsPerSecond > 0 && actual < target.belowMs,
      };
    }
    const referenceId = caseId(target.reference, MEASURED_IN_FLIGHT);
    const reference = figures.get(referenceId);
    const measure = target.kind === 'cpu' ? 'cpuUsPerCall' : 'callsPerSecond';
    const roundRatios =
      subject === undefined || reference === undefined ? [] : ratiosByRound(subject, reference, measure);
    const actual = roundRatios.length === 0 ? null : median(roundRatios);
    if (target.kind === 'cpu') {
      return {
        expression: `${subjectId} CPU/call ≤ ${target.atMost}× ${referenceId}`,
        actual,
        threshold: target.atMost,
        unit: 'x' as const,
        roundRatios,
        passed: actual === null ? null : actual <= target.atMost,
      };
    }
    const shown = target.unit === 'x' ? `${target.atLeast}×` : `${target.atLeast * 100} % of`;
    return {
      expression: `${subjectId} calls/s ≥ ${shown} ${referenceId}`,
      actual,
      threshold: target.atLeast,
      unit: target.unit,
      roundRatios,
      passed: actual === null ? null : actual >= target.atLeast,
    };
  });
}

/** subject ÷ reference in each round where both cases made calls. */
function ratiosByRound(subject: CaseFigures, reference: CaseFigures, measure: keyof RoundFigures): number[] {
  const ratios: number[] = [];
  const rounds = Math.min(subject.runs.length, reference.runs.length);
  for (let round = 0; round < rounds; round++) {
    const subjectRun = subject.runs[round]!;
    const referenceRun = reference.runs[round]!;
    // A case that made no call has no CPU per call: its ratio would read as free.
    if (referenceRun.callsPerSecond > 0 && (measure === 'callsPerSecond' || subjectRun.callsPerSecond > 0)) {
      ratios.push(subjectRun[measure] / referenceRun[measure]);
    }
  }
  return ratios;
}
