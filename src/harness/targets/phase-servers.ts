/** A server appearing in or disappearing from the target's list during a phase. */
export interface MembershipChange {
  /** From the phase's start, ms (negative: before it started, during the warm-up). */
  atMs: number;
  address: string;
  change: 'joined' | 'left';
}

/** What the servers counted in a phase, by address. */
export interface PhaseServerCounts {
  /** Every server known during the phase. */
  addresses: string[];
  /** Calls each counted, by `addresses`; null where no count could be read. */
  counts: (number | null)[];
  membership: MembershipChange[];
}

/** The servers a phase runs against: simulated ones the run started, or the user's own. */
export interface PhaseServers {
  /** The servers known now. */
  addresses(): string[];
  /** The measured phase starts at this instant (Date.now() clock): counts start from here. */
  begin(startAtEpochMs: number): Promise<void>;
  /** What each server counted since begin(). */
  counts(): Promise<PhaseServerCounts>;
  end(): Promise<void>;
  close(): Promise<void>;
}
