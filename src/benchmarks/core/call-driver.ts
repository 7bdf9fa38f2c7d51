/**
 * One call slot of the closed-loop load: it is started, and reports its end exactly once.
 * Made once per slot, not per call, so that the harness adds no allocation of its own per call.
 */
export interface CallSlot {
  /** When the current call started, from performance.now(). */
  startedMs: number;
  readonly complete: () => void;
  readonly fail: (error: unknown) => void;
}

/** A way of making calls against one connection: RPC, grpc-js or the raw echo. */
export interface CallDriver {
  /** Starts one call; it must end with `slot.complete()` or `slot.fail(error)`. */
  start(slot: CallSlot): void;
  close(): Promise<void>;
}
