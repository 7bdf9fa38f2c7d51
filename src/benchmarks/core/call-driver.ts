import type { LoopSlot } from '../../harness/load/load-loop.ts';

/**
 * One caller of the load loop: it is started, and reports its end exactly once. Made once per
 * caller, not per call, so that the benchmark adds no allocation of its own per call.
 */
export interface CallSlot extends LoopSlot {
  readonly complete: () => void;
  readonly fail: (error: unknown) => void;
}

/** A way of making calls against one connection: RPC, grpc-js or the raw echo. */
export interface CallDriver {
  /** Starts one call; it must end with `slot.complete()` or `slot.fail(error)`. */
  start(slot: CallSlot): void;
  close(): Promise<void>;
}
