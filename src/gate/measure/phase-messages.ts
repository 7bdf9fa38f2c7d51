import type { PhaseSamples } from '../samples.ts';

/** What the phase worker posts once: its samples, or why it could not take them. */
export type PhaseWorkerMessage =
  | { kind: 'done'; samples: PhaseSamples }
  | { kind: 'failed'; code: string; message: string };
