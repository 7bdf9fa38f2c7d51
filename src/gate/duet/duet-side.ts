import { performance } from 'node:perf_hooks';
import { quantileSorted, sortAscending } from '../../stats/descriptive.ts';
import { escapeTerminal } from '../../util/escape-terminal.ts';
import type { CorrectnessOutcome } from '../correctness.ts';
import type { RpcProbe } from '../measure/probe.ts';
import type { WindowMeasurement, WindowWorkload } from '../measure/window.ts';
import { processCpuNs } from './proc-cpu.ts';

/** An error without a project code (a Node error, a thrown value) is counted under this one. */
const UNKNOWN_CODE = 'ERR_UNKNOWN';
/** A peer's error text is cut to this length in the table. */
const MAX_ERROR_TEXT = 120;

/** The figures of one measured window of one build. */
export interface WindowFigures {
  callsPerSecond: number;
  p50: number;
  p99: number;
  cpuPerCall: number | undefined;
  latenciesMs: number[];
}

/** Failed calls of one error code, and the first one's message. */
export interface ErrorGroup {
  count: number;
  first: string;
}

/**
 * Times each successful call and keeps the latencies of the window under way; counts failed calls
 * by error code (ERR_REMOTE: the server answered with an error, ERR_CHECK: call.check refused
 * the reply, ERR_CALL_TIMEOUT, ...), keeping the first message of each code.
 */
export class TimedCalls implements WindowWorkload {
  latenciesMs: number[] = [];
  readonly errors = new Map<string, ErrorGroup>();
  constructor(readonly inner: RpcProbe) {}
  async call(): Promise<unknown> {
    const start = performance.now();
    try {
      const reply = await this.inner.call();
      this.latenciesMs.push(performance.now() - start);
      return reply;
    } catch (error) {
      const code = (error as { code?: unknown } | null)?.code;
      const key = typeof code === 'string' ? code : UNKNOWN_CODE;
      const group = this.errors.get(key);
      if (group === undefined) this.errors.set(key, { count: 1, first: messageOf(error) });
      else group.count++;
      throw error;
    }
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

/** One build of the duet: its calls, its server's CPU clock, the figures of each measured window. */
export interface Side {
  name: 'A' | 'B';
  calls: TimedCalls;
  pid: number | undefined;
  lastCpuNs: number;
  windows: WindowFigures[];
  /** Calls answered and failed over every window, warm-up included. */
  answered: number;
  failed: number;
}

export function newSide(name: 'A' | 'B', probe: RpcProbe, pid: number | undefined): Side {
  return {
    name,
    calls: new TimedCalls(probe),
    pid,
    lastCpuNs: pid === undefined ? 0 : processCpuNs(pid),
    windows: [],
    answered: 0,
    failed: 0,
  };
}

/** Adds one window of this side: counted always, its figures kept when it is past the warm-up. */
export function recordWindow(side: Side, measurement: WindowMeasurement, kept: boolean): void {
  const latencies = sortAscending(side.calls.latenciesMs);
  side.calls.latenciesMs = [];
  // The server's CPU since this side's previous window: the other side's window in between left it idle.
  let cpuPerCall: number | undefined;
  if (side.pid !== undefined) {
    const now = processCpuNs(side.pid);
    cpuPerCall = measurement.calls > 0 ? (now - side.lastCpuNs) / 1000 / measurement.calls : undefined;
    side.lastCpuNs = now;
  }
  side.failed += measurement.errors;
  side.answered += measurement.calls;
  if (!kept || measurement.calls === 0) return;
  side.windows.push({
    callsPerSecond: (measurement.calls * 1000) / measurement.wallMs,
    p50: quantileSorted(latencies, 0.5),
    p99: quantileSorted(latencies, 0.99),
    cpuPerCall,
    latenciesMs: latencies,
  });
}

/** The side's failed calls, grouped by error code: none is what passes. */
export function errorOutcome(scenario: string, phase: string, side: Side): CorrectnessOutcome {
  const total = side.answered + side.failed;
  const groups = [...side.calls.errors]
    .sort(([, x], [, y]) => y.count - x.count)
    .map(([code, group]) => `${code} ${group.count} (first: ${group.first})`);
  return {
    scenario,
    phase: `${phase} › ${side.name}`,
    check: 'call-errors',
    expected: 'no call fails (errors and call.check)',
    actual:
      side.failed === 0
        ? `${side.answered} of ${total} answered`
        : `${side.failed} of ${total} failed: ${groups.join('; ')}`,
    passed: side.failed === 0 && side.answered > 0,
  };
}

/** A peer's message, on one line, cut short and stripped of terminal control sequences. */
function messageOf(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const line = escapeTerminal(text.replace(/\s+/g, ' '));
  return line.length > MAX_ERROR_TEXT ? `${line.slice(0, MAX_ERROR_TEXT)}…` : line;
}
