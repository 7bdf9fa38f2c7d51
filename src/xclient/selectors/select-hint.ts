/** What a selector may use besides the server list. Passed through `Discovery.get`. */
export interface SelectHint {
  /** The call's key: required by consistent-hash, ignored by the other modes. */
  key?: string;
  /** Calls in flight per server, as the XClient counts them: what p2c compares. */
  inFlight?: (address: string) => number;
  /** Cost of the next call per server (peak-EWMA latency × (in-flight + 1)): what peak-ewma compares. */
  cost?: (address: string) => number;
  /** Servers taken out of selection by outlier detection: every mode picks among the others. */
  ejected?: EjectedServers;
}

/** A set of servers out of selection; `version` changes whenever the set does. */
export interface EjectedServers {
  readonly version: number;
  readonly size: number;
  has(address: string): boolean;
}
