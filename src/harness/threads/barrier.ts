import { HarnessWorkerError } from '../errors.ts';

const POLL_INTERVAL_MS = 2;

/**
 * Counts this thread in at slot 0 and resolves once `parties` threads have: a rendezvous of worker
 * threads over shared memory. Polls rather than Atomics.wait, which would block the event loop.
 */
export async function awaitBarrier(counter: Int32Array, parties: number, timeoutMs: number): Promise<void> {
  Atomics.add(counter, 0, 1);
  await pollUntil(() => Atomics.load(counter, 0) >= parties, timeoutMs, `${parties} threads to start`);
}

/** Resolves once `done()` holds; rejects with HarnessWorkerError after `timeoutMs`. */
export async function pollUntil(done: () => boolean, timeoutMs: number, waitingFor: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) {
      throw new HarnessWorkerError(`gave up waiting for ${waitingFor} after ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
  }
}

/** Resolves as `promise` does, or rejects with HarnessWorkerError if it has not settled after `timeoutMs`. */
export async function settleWithin<T>(
  promise: Promise<T>,
  timeoutMs: number,
  waitingFor: string,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new HarnessWorkerError(`gave up waiting for ${waitingFor} after ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([promise, expired]);
  } finally {
    clearTimeout(timer);
  }
}
