import { normalCdf } from './descriptive.ts';

export type Alternative = 'two-sided' | 'greater' | 'less';

export interface MannWhitneyResult {
  /** U of the first sample: the pairs (x, y) with x > y, ties counting one half. */
  u: number;
  pValue: number;
  /** Exact for small samples without ties; otherwise the normal approximation. */
  method: 'exact' | 'asymptotic';
}

/** Above this many pairs the exact distribution costs more than it is worth. */
const EXACT_MAX_PAIRS = 400;

/**
 * The Mann-Whitney U test (Wilcoxon rank-sum). `greater` asks whether x tends to be larger than y.
 * The exact null distribution when there are no ties and at most EXACT_MAX_PAIRS pairs, otherwise
 * the normal approximation with tie and continuity corrections: the same figures as SciPy's
 * `mannwhitneyu(x, y, alternative=..., method='exact' | 'asymptotic')`.
 */
export function mannWhitneyU(
  x: readonly number[],
  y: readonly number[],
  alternative: Alternative = 'two-sided',
): MannWhitneyResult {
  const n1 = x.length;
  const n2 = y.length;
  if (n1 === 0 || n2 === 0) return { u: Number.NaN, pValue: Number.NaN, method: 'asymptotic' };
  const { ranks, tieTerm } = rank([...x, ...y]);
  let rankSum = 0;
  for (let i = 0; i < n1; i++) rankSum += ranks[i]!;
  const u1 = rankSum - (n1 * (n1 + 1)) / 2;
  const u2 = n1 * n2 - u1;
  if (tieTerm === 0 && n1 * n2 <= EXACT_MAX_PAIRS) {
    const cdf = exactCdf(n1, n2);
    // P(U >= u) = 1 - P(U <= u - 1); U takes integer values when there are no ties.
    const atLeast = (u: number): number => (u <= 0 ? 1 : 1 - cdf[u - 1]!);
    const atMost = (u: number): number => cdf[u]!;
    const pValue =
      alternative === 'greater'
        ? atLeast(u1)
        : alternative === 'less'
          ? atMost(u1)
          : Math.min(1, 2 * atLeast(Math.max(u1, u2)));
    return { u: u1, pValue, method: 'exact' };
  }
  const n = n1 + n2;
  const mean = (n1 * n2) / 2;
  const sd = Math.sqrt(((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1))));
  if (sd === 0) return { u: u1, pValue: 1, method: 'asymptotic' };
  const upper = (u: number): number => 1 - normalCdf((u - mean - 0.5) / sd);
  const pValue =
    alternative === 'greater'
      ? upper(u1)
      : alternative === 'less'
        ? normalCdf((u1 - mean + 0.5) / sd)
        : Math.min(1, 2 * upper(Math.max(u1, u2)));
  return { u: u1, pValue, method: 'asymptotic' };
}

/** Mid-ranks (ties share the mean of their ranks) and the tie term Σ(t³ − t). */
function rank(values: readonly number[]): { ranks: number[]; tieTerm: number } {
  const order = values.map((_, index) => index).sort((a, b) => values[a]! - values[b]!);
  const ranks = new Array<number>(values.length);
  let tieTerm = 0;
  for (let start = 0; start < order.length; ) {
    let end = start + 1;
    while (end < order.length && values[order[end]!] === values[order[start]!]) end++;
    const midRank = (start + 1 + end) / 2;
    for (let i = start; i < end; i++) ranks[order[i]!] = midRank;
    const tied = end - start;
    tieTerm += tied ** 3 - tied;
    start = end;
  }
  return { ranks, tieTerm };
}

/**
 * The null distribution function of U for sample sizes m and n, as probabilities, by the
 * recurrence p(m, n, u) = m/(m+n) · p(m−1, n, u−n) + n/(m+n) · p(m, n−1, u).
 */
function exactCdf(m: number, n: number): Float64Array {
  // table[j] holds the distribution for (i, j) while i advances row by row.
  let previous: Float64Array[] = [];
  for (let i = 0; i <= m; i++) {
    const current: Float64Array[] = [];
    for (let j = 0; j <= n; j++) {
      const probabilities = new Float64Array(i * j + 1);
      if (i === 0 || j === 0) probabilities[0] = 1;
      else {
        const fromLeft = previous[j]!;
        const fromBelow = current[j - 1]!;
        const wLeft = i / (i + j);
        const wBelow = j / (i + j);
        for (let u = 0; u <= i * j; u++) {
          const a = u - j >= 0 && u - j < fromLeft.length ? fromLeft[u - j]! : 0;
          const b = u < fromBelow.length ? fromBelow[u]! : 0;
          probabilities[u] = wLeft * a + wBelow * b;
        }
      }
      current.push(probabilities);
    }
    previous = current;
  }
  const density = previous[n]!;
  const cdf = new Float64Array(density.length);
  let total = 0;
  for (let u = 0; u < density.length; u++) {
    total += density[u]!;
    cdf[u] = Math.min(total, 1);
  }
  return cdf;
}
