import { performance } from 'node:perf_hooks';
import { isRpcError } from '../../util/errors.ts';
import type { PhaseSamples } from '../samples.ts';
import { mergePhaseSamples } from './interleave.ts';
import { measurePhase } from './measure-phase.ts';
import type { ProbeSpec } from './probe.ts';

/** One scenario phase to measure. */
export interface PhaseTarget {
  scenario: string;
  spec: ProbeSpec;
}

export interface RoundOptions {
  rounds: number;
  /** Pairs per phase in each round. */
  pairs: number;
  windowMs: number;
  /** Told after each phase of each round. */
  onMeasured?: (target: PhaseTarget, round: number, rounds: number, elapsedMs: number) => void;
}

/** A phase whose probe failed (a call failed): it is not measured again. */
export interface PhaseFailure {
  scenario: string;
  phase: string;
  message: string;
}

/** Samples by phase, keyed with phaseKey(), and the phases that could not be measured. */
export interface RoundsOutcome {
  samples: Map<string, PhaseSamples>;
  failures: PhaseFailure[];
}

export function phaseKey(scenario: string, phase: string): string {
  return `${scenario}\u0000${phase}`;
}

/**
 * Measures the phases in rounds: every round visits every phase once, each in a fresh thread,
 * so that a phase's pairs come from several threads spread over the whole run, not from one
 * moment and one compiled state of the code. Pairs add to those already in `into`.
 */
export async function measureRounds(
  targets: readonly PhaseTarget[],
  options: RoundOptions,
  into: RoundsOutcome = { samples: new Map(), failures: [] },
): Promise<RoundsOutcome> {
  for (let round = 0; round < options.rounds; round++) {
    for (const target of targets) {
      const key = phaseKey(target.scenario, target.spec.label);
      if (into.failures.some((failure) => phaseKey(failure.scenario, failure.phase) === key)) continue;
      const startMs = performance.now();
      try {
        const measured = await measurePhase(target.spec, {
          pairs: options.pairs,
          windowMs: options.windowMs,
        });
        const previous = into.samples.get(key);
        into.samples.set(key, previous === undefined ? measured : mergePhaseSamples(previous, measured));
        options.onMeasured?.(target, round, options.rounds, performance.now() - startMs);
      } catch (error) {
        if (!isRpcError(error, 'ERR_GATE_MEASUREMENT')) throw error;
        into.samples.delete(key);
        into.failures.push({ scenario: target.scenario, phase: target.spec.label, message: error.message });
      }
    }
  }
  return into;
}
