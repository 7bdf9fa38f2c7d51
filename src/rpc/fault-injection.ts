import { type EventLoopUtilization, performance } from 'node:perf_hooks';
import { InvalidArgumentError } from './errors.ts';

/**
 * TEST-ONLY fault injection, used by the regression gate's own tests to prove that the gate catches
 * a slowdown of known size. Never set it anywhere else.
 *
 * `RPCBENCH_FAULT_SLOWDOWN=0.2` makes every thread that writes RPC frames do 20 % more work: each
 * time it flushes frames, it spins for 0.2 times the time its event loop was busy since its previous
 * flush. A thread that only runs RPC work is then slowed by exactly that fraction. The variable is
 * read here, once; unset, the cost is one comparison per flush.
 */
export const FAULT_SLOWDOWN: number = parseSlowdown(process.env.RPCBENCH_FAULT_SLOWDOWN);

/** A longer pause between flushes is not RPC work (another workload ran): it is not stretched. */
const MAX_FLUSH_GAP_MS = 5;

let previous: EventLoopUtilization | undefined;
let previousMs = 0;

/** Spins for FAULT_SLOWDOWN times this thread's busy time since its previous flush. */
export function injectSlowdown(): void {
  const nowMs = performance.now();
  if (previous !== undefined && nowMs - previousMs <= MAX_FLUSH_GAP_MS) {
    const busyMs = performance.eventLoopUtilization(previous).active;
    const untilMs = nowMs + busyMs * FAULT_SLOWDOWN;
    while (performance.now() < untilMs) {
      // Busy on purpose: this is the injected work.
    }
  }
  previous = performance.eventLoopUtilization();
  previousMs = performance.now();
}

function parseSlowdown(text: string | undefined): number {
  if (text === undefined || text === '') return 0;
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0 || value > 10) {
    throw new InvalidArgumentError(`RPCBENCH_FAULT_SLOWDOWN must be a number from 0 to 10, got "${text}"`);
  }
  return value;
}
