/**
 * What a call does when its server fails at the transport level (see `isTransportError`):
 * - `failfast`: reject at once.
 * - `failover`: try another server, up to `retries` more times.
 * - `failtry`: try the same server again, re-dialing, up to `retries` more times.
 * Answers from the application (`RemoteError`), timeouts and aborts are never retried: the call
 * may have run.
 */
export type FailMode = 'failfast' | 'failover' | 'failtry';

export const FAIL_MODES: readonly FailMode[] = Object.freeze(['failfast', 'failover', 'failtry']);

export function isFailMode(value: unknown): value is FailMode {
  return typeof value === 'string' && (FAIL_MODES as readonly string[]).includes(value);
}
