/**
 * What the gate's measurement hands to the comparison: per-pair figures of one scenario phase,
 * each the RPC probe's window divided by the reference window next to it in time. Types only, so
 * that src/report can read them without importing harness code.
 */

/** The gate's timing metrics. `cost` gets better as it falls, `throughput` as it rises. */
export type GateMetricName = 'cost' | 'throughput';

export interface PhaseSamples {
  /** The phase label, as in the scenario's results (`roundrobin`, `random/cached`, ...). */
  phase: string;
  /**
   * Per pair: CPU time per RPC call divided by CPU time per reference call. How many reference
   * calls one RPC call costs; immune to the thread being descheduled.
   */
  cost: number[];
  /** Per pair: RPC calls per second divided by reference calls per second, both wall-clock. */
  throughput: number[];
  /** Medians of the raw figures, for people: they differ from machine to machine and are never compared. */
  raw: RawFigures;
}

export interface RawFigures {
  rpcCallsPerSecond: number;
  rpcCpuUsPerCall: number;
  referenceCallsPerSecond: number;
  referenceCpuUsPerCall: number;
}
