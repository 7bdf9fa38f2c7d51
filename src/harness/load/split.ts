/** `total` in `parts` whole shares differing by at most one, the larger ones first. */
export function splitEvenly(total: number, parts: number): number[] {
  const base = Math.floor(total / parts);
  const extra = total - base * parts;
  return Array.from({ length: parts }, (_, index) => base + (index < extra ? 1 : 0));
}

/**
 * A call budget over load threads, every share but the last a multiple of `servers`: each
 * thread round-robins on its own, and a multiple of n calls spreads exactly evenly, so the total
 * stays within one call per server of even.
 */
export function splitCallBudget(calls: number, threads: number, servers: number): number[] {
  if (threads === 1) return [calls];
  const roundShare = Math.floor(calls / threads / servers) * servers;
  const shares = Array.from({ length: threads - 1 }, () => roundShare);
  shares.push(calls - roundShare * (threads - 1));
  return shares;
}
