import type { Fairness } from '../../result/result-schema.ts';
import {
  chiSquarePValue,
  chiSquareStatistic,
  coefficientOfVariation,
  jainIndex,
} from '../../stats/chi-square.ts';

/**
 * How evenly the calls were spread, against the shares each server should have had.
 * Counts are divided by their expected shares first, so a weighted split that follows its weights
 * exactly scores as even. Returns null when there is nothing to judge (no calls).
 */
export function computeFairness(
  counts: readonly number[],
  expectedShares: readonly number[],
): Fairness | null {
  const total = counts.reduce((sum, count) => sum + count, 0);
  if (total === 0 || counts.length === 0) return null;
  const normalized = counts.map((count, i) => count / expectedShares[i]!);
  const smallest = Math.min(...normalized);
  const largest = Math.max(...normalized);
  const expected = expectedShares.map((share) => share * total);
  const degreesOfFreedom = counts.length - 1;
  const chiSquare = chiSquareStatistic(counts, expected);
  return {
    jain: jainIndex(normalized),
    cv: coefficientOfVariation(normalized),
    maxMinRatio: smallest === 0 ? null : largest / smallest,
    chiSquare,
    degreesOfFreedom,
    pValue: degreesOfFreedom === 0 ? 1 : chiSquarePValue(chiSquare, degreesOfFreedom),
  };
}

/** Shares in proportion to the weights (all 1: uniform). */
export function expectedSharesFor(weights: readonly number[]): number[] {
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  return weights.map((weight) => weight / total);
}
