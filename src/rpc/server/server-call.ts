import type { InFlightEntry } from './in-flight-calls.ts';
import type { CallContext } from './service.ts';

/** The server-side state of one in-flight call. Its AbortController is made only if asked for. */
export class ServerCall implements CallContext, InFlightEntry {
  readonly serviceMethod: string;
  readonly seq: number;
  /** The handler has settled: its slot is free. */
  done = false;
  /** The handle timeout has answered the caller; the handler still holds its slot until it settles. */
  overdue = false;
  inFlightIndex = -1;
  timer: NodeJS.Timeout | undefined;
  #controller: AbortController | undefined;
  #abortReason: unknown;

  constructor(serviceMethod: string, seq: number) {
    this.serviceMethod = serviceMethod;
    this.seq = seq;
  }

  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.#abortReason !== undefined) this.#controller.abort(this.#abortReason);
    }
    return this.#controller.signal;
  }

  abort(reason: Error): void {
    if (this.#abortReason !== undefined) return;
    this.#abortReason = reason;
    this.#controller?.abort(reason);
  }
}
