import type { CallOptions } from '../rpc/client.ts';
import { CallAbortedError, CallTimeoutError } from '../rpc/errors.ts';
import { MAX_TIMER_MS } from '../util/units.ts';

/** The call's options once a dial that began at `startMs` took part of its timeout. */
export function optionsAfterDial(
  options: CallOptions | undefined,
  timeoutMs: number,
  startMs: number,
): CallOptions | undefined {
  if (timeoutMs <= 0) return options;
  const leftMs = Math.max(1, Math.ceil(timeoutMs - (performance.now() - startMs)));
  return { ...options, timeoutMs: leftMs };
}

/**
 * Waits for a connection being dialed no longer than the call that needs it may take: the call's
 * timeout and signal cover dialing too. The dial itself goes on, for the calls after it.
 */
export function dialWithinCall<T>(
  dialing: Promise<T>,
  serviceMethod: string,
  timeoutMs: number,
  signal: AbortSignal | undefined,
): Promise<T> {
  if (timeoutMs <= 0 && signal === undefined) return dialing;
  if (signal?.aborted) {
    dialing.catch(() => {});
    return Promise.reject(new CallAbortedError(serviceMethod, signal.reason));
  }
  return new Promise<T>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const settle = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
    const onAbort = (): void => {
      settle();
      reject(new CallAbortedError(serviceMethod, signal!.reason));
    };
    if (timeoutMs > 0) {
      timer = setTimeout(
        () => {
          settle();
          reject(new CallTimeoutError(serviceMethod, timeoutMs));
        },
        Math.min(timeoutMs, MAX_TIMER_MS),
      );
    }
    signal?.addEventListener('abort', onAbort, { once: true });
    dialing.then(
      (value) => {
        settle();
        resolve(value);
      },
      (error: unknown) => {
        settle();
        reject(error);
      },
    );
  });
}
