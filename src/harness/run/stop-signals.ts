/** The signals that stop a run: Ctrl-C, and SIGTERM (CI timeouts, `docker stop`). */
export type StopSignal = 'SIGINT' | 'SIGTERM';

/** A second SIGINT or SIGTERM within this long of the first is the same request. */
export const SIGNAL_REPEAT_WINDOW_MS = 1000;

export interface StopSignals {
  /** Aborted by the first signal. */
  readonly signal: AbortSignal;
  /** The first signal received, if any. */
  readonly stoppedBy: StopSignal | undefined;
  /** Stops listening. */
  dispose(): void;
}

export interface StopSignalHandlers {
  /** The first signal: the run stops starting calls and finishes with a partial result. */
  onStop: (signal: StopSignal) => void;
  /** Another signal, later than SIGNAL_REPEAT_WINDOW_MS after the first: quit now. */
  onQuitNow: (firstSignal: StopSignal) => void;
}

/**
 * Turns SIGINT and SIGTERM into a stop request. A terminal's Ctrl-C reaches the whole process
 * group and `npm run` forwards it once more, as does a CI runner's cancel: a repeat within
 * SIGNAL_REPEAT_WINDOW_MS is that same request, as is (under npm) the first repeat of the same
 * signal, however late npm relays it; only another one means "quit now".
 */
export function listenForStop(handlers: StopSignalHandlers): StopSignals {
  const controller = new AbortController();
  let stoppedBy: StopSignal | undefined;
  let firstSignalAtMs = 0;
  // Under `npm run` the first repeat of the same signal may be npm's relayed copy, late on a busy machine.
  let relayExpected = process.env.npm_lifecycle_event !== undefined;
  const onSignal = (signal: StopSignal) => {
    if (stoppedBy !== undefined) {
      const relayed = relayExpected && signal === stoppedBy;
      relayExpected = false;
      if (relayed) return;
      if (performance.now() - firstSignalAtMs >= SIGNAL_REPEAT_WINDOW_MS) handlers.onQuitNow(stoppedBy);
      return;
    }
    stoppedBy = signal;
    firstSignalAtMs = performance.now();
    handlers.onStop(signal);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    get stoppedBy() {
      return stoppedBy;
    },
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
