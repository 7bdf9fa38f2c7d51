import { performance } from 'node:perf_hooks';
import { InvalidArgumentError } from '../util/errors.ts';
import { FrameWriter } from './frame-writer.ts';

/**
 * TEST-ONLY fault injection, used by the regression gate's own tests to prove that the gate catches
 * a slowdown of known size. Never set it anywhere else.
 *
 * `RPCBENCH_FAULT_SLOWDOWN=0.2` adds 20 % to the CPU time of the RPC path: when frames are flushed
 * (at most once a millisecond), the thread spins until the process has used 0.2 times the CPU time
 * it used since the previous time. Where one thread does the RPC work, as in the gate's probe, a call then costs
 * exactly 1.2 times the CPU time; with several busy threads each one spins for all of them. The
 * variable is read here, once; unset, frames are written by the plain FrameWriter and the RPC path
 * does not check it at all (see frame-writers.ts).
 */
export const FAULT_SLOWDOWN: number = parseSlowdown(process.env.RPCBENCH_FAULT_SLOWDOWN);

/**
 * The CPU clock is read at most this often, and the CPU time used since the last reading is paid
 * back in one spin: reading it at every flush would cost more than the work between two flushes.
 */
const SETTLE_EVERY_MS = 1;
/** A longer pause between flushes is not RPC work (another workload ran): it is not stretched. */
const MAX_FLUSH_GAP_MS = 20;

let previousCpuUs = -1;
let previousMs = Number.NEGATIVE_INFINITY;

/** A FrameWriter that pays the injected slowdown at every write, installed only when it is asked for. */
export class SlowedFrameWriter extends FrameWriter {
  protected override write(): void {
    injectSlowdown();
    super.write();
  }
}

/** Spins until this process has used FAULT_SLOWDOWN times its CPU time since the previous settling. */
function injectSlowdown(): void {
  const nowMs = performance.now();
  const sinceMs = nowMs - previousMs;
  if (sinceMs < SETTLE_EVERY_MS) return;
  let cpuUs = processCpuUs();
  if (previousCpuUs >= 0 && sinceMs <= MAX_FLUSH_GAP_MS) {
    const untilUs = cpuUs + (cpuUs - previousCpuUs) * FAULT_SLOWDOWN;
    // Spins on the wall clock, which allocates nothing, for the CPU time still owed: a spin cannot
    // use more CPU than the wall time it lasts, so this never overshoots; a descheduled spin owes
    // the rest, read back from the CPU clock.
    while (cpuUs < untilUs) {
      const spinUntilMs = performance.now() + (untilUs - cpuUs) / 1000;
      while (performance.now() < spinUntilMs) {
        // Busy on purpose: this is the injected work.
      }
      cpuUs = processCpuUs();
    }
  }
  previousCpuUs = cpuUs;
  previousMs = performance.now();
}

function processCpuUs(): number {
  const usage = process.cpuUsage();
  return usage.user + usage.system;
}

function parseSlowdown(text: string | undefined): number {
  if (text === undefined || text === '') return 0;
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0 || value > 10) {
    throw new InvalidArgumentError(`RPCBENCH_FAULT_SLOWDOWN must be a number from 0 to 10, got "${text}"`);
  }
  return value;
}
