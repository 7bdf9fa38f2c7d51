import { setFlagsFromString } from 'node:v8';

/**
 * The young generation's semi-space for rpcbench's threads, MiB: V8's largest by default on 64-bit
 * Node, where a thread otherwise starts at 1 MiB and grows only as far as its allocation rate
 * pushes it. A load thread or a server thread at some 400,000 calls/s scavenges every few tens of
 * ms however little survives, and every pause (some 0.3–0.7 ms, whatever the size) holds the
 * calls in flight: fewer scavenges is what moves p99 at 64 in flight (docs/performance.md).
 */
export const SEMI_SPACE_MB = 16;

/** The flag that starts a thread's young generation at SEMI_SPACE_MB; the main thread needs it on node's command line. */
export const SEMI_SPACE_FLAG = `--min-semi-space-size=${SEMI_SPACE_MB}`;

/**
 * Every worker thread started from now on in this process starts its young generation at
 * SEMI_SPACE_MB (some 2 × 16 MiB more memory per thread), rpcbench's own threads (load, server,
 * probe) and any other: V8's flags are the process's. V8 reads the flag as it makes a thread's
 * heap, so threads already running keep their own.
 */
export function enlargeYoungGeneration(): void {
  setFlagsFromString(SEMI_SPACE_FLAG);
}
