import { createHash } from 'node:crypto';
import { measureInterleaved, mergePhaseSamples, toPhaseSamples } from './gate-interleave.ts';
import { type ProbeSpec, RpcProbe } from './gate-probe.ts';
import { ReferenceEcho } from './gate-reference.ts';
import type { PhaseSamples } from './gate-samples.ts';

export const DEFAULT_GATE_PAIRS = 60;
export const DEFAULT_BASELINE_PAIRS = 150;
export const DEFAULT_WARMUP_PAIRS = 4;
export const DEFAULT_SLICE_MS = 100;
/** Bounds each slice in count as well as in time. */
const MAX_CALLS_PER_SLICE = 1_000_000;

export interface PhaseMeasureOptions {
  pairs: number;
  sliceMs: number;
  /** @default 4 */
  warmupPairs?: number;
  onPair?: (done: number, total: number) => void;
}

/**
 * Measures one scenario phase: its RPC probe and the reference, in interleaved slices in this
 * thread, each started and closed here.
 */
export async function measurePhase(spec: ProbeSpec, options: PhaseMeasureOptions): Promise<PhaseSamples> {
  const probe = await RpcProbe.start(spec);
  let reference: ReferenceEcho | undefined;
  try {
    reference = await ReferenceEcho.start(spec.payloadBytes);
    const pairs = await measureInterleaved(probe, reference, {
      pairs: options.pairs,
      warmupPairs: options.warmupPairs ?? DEFAULT_WARMUP_PAIRS,
      sliceMs: options.sliceMs,
      concurrency: spec.concurrency,
      maxCallsPerSlice: MAX_CALLS_PER_SLICE,
      ...(options.onPair === undefined ? {} : { onPair: options.onPair }),
    });
    return toPhaseSamples(spec.label, pairs);
  } finally {
    await reference?.close();
    await probe.close();
  }
}

/** Measures a phase again and pools the new pairs with the old. */
export async function remeasurePhase(
  spec: ProbeSpec,
  previous: PhaseSamples,
  options: PhaseMeasureOptions,
): Promise<PhaseSamples> {
  return mergePhaseSamples(previous, await measurePhase(spec, options));
}

/**
 * What a scenario's probes run, hashed: the baseline of a scenario whose probe set-up changed
 * (servers, modes, codec, transport, payload, concurrency, seed) no longer compares.
 */
export function fingerprintOf(specs: readonly ProbeSpec[]): string {
  return createHash('sha256').update(JSON.stringify(specs)).digest('hex').slice(0, 16);
}
