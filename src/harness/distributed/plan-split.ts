import type { PlannedSlice } from '../load/phase-load.ts';

export interface ThreadsOf {
  name: string;
  threads: number;
}

/**
 * A phase's load threads over the load hosts, in order: the first host runs the first `threads`
 * slices, and so on. The slices were planned for all the hosts' threads together (concurrency,
 * rate and call budget split as over the threads of one run), so the load is the same as one run
 * with that many threads, and each host's share of a call budget is all but one slice a multiple
 * of the server count (its round robin stays within one call per server of even).
 */
export function assignSlices(
  hosts: readonly ThreadsOf[],
  planned: readonly PlannedSlice[],
): Map<string, PlannedSlice[]> {
  const total = hosts.reduce((sum, host) => sum + host.threads, 0);
  if (total !== planned.length) {
    throw new RangeError(`${planned.length} slices planned for ${total} threads on ${hosts.length} hosts`);
  }
  const assigned = new Map<string, PlannedSlice[]>();
  let next = 0;
  for (const host of hosts) {
    assigned.set(host.name, planned.slice(next, next + host.threads));
    next += host.threads;
  }
  return assigned;
}
