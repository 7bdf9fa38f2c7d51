import type { BroadcastOutcome, CallOutcome, XCallOptions, XClient } from '../../xclient/xclient.ts';
import { CheckFailedError } from '../errors.ts';
import type { PhaseRecorder } from '../metrics/phase-recorder.ts';

/** What a phase's load calls: the thread's XClients, the method, and the per-call inputs. */
export interface LoadCalls {
  /** Calls are spread over these in turn. */
  clients: readonly XClient[];
  /** Every call goes to all servers (broadcastAll) instead of a selected one. */
  broadcast: boolean;
  serviceMethod: string;
  /** The same arguments for every call, when argsAt is undefined. */
  args: unknown;
  /** The arguments of this thread's call number i, or undefined when every call sends `args`. */
  argsAt: ((i: number) => unknown) | undefined;
  /** true when a reply is right, else the reason: the call then counts as an ERR_CHECK error. */
  check: ((reply: unknown, args: unknown) => true | string) | undefined;
  /** Call options used in turn (consistent-hash keys), or undefined for none. Length: a power of two. */
  callOptions: readonly XCallOptions[] | undefined;
}

/** When a load model stops starting calls: at `deadlineMs` (performance.now() clock) or after `maxCalls`. */
export interface LoopLimits {
  startMs: number;
  deadlineMs: number;
  maxCalls: number;
}

/** A load model's calls over one phase (closed or open): run() resolves once no call is left in flight. */
export interface ModelLoad {
  run(): Promise<void>;
  /** Starts no more calls; those in flight finish. */
  stop(): void;
}

/** Marks the broadcast outcomes whose reply the check refuses as failed with ERR_CHECK. */
export function checkBroadcast(
  outcomes: readonly BroadcastOutcome<unknown>[],
  check: NonNullable<LoadCalls['check']>,
  args: unknown,
): void {
  for (const outcome of outcomes) {
    if (outcome.error !== undefined) continue;
    const verdict = check(outcome.reply, args);
    if (verdict !== true) outcome.error = new CheckFailedError(outcome.address, verdict);
  }
}

/** Records a reply: a success, or an ERR_CHECK failure of its server when the check refuses it. */
export function recordReply(
  recorder: PhaseRecorder,
  check: LoadCalls['check'],
  outcome: CallOutcome<unknown>,
  args: unknown,
  startMs: number,
  endMs: number,
): void {
  const verdict = check === undefined ? true : check(outcome.reply, args);
  if (verdict === true) recorder.ok(outcome.address, startMs, endMs);
  else recorder.fail(new CheckFailedError(outcome.address, verdict), endMs, startMs);
}
