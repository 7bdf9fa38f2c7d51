import { z } from 'zod';

/** One objective of a search step: the threshold as written, its value in the step, and whether it held. */
export const objectiveOutcomeSchema = z.object({
  expression: z.string(),
  actual: z.number().nullable(),
  passed: z.boolean(),
});

/** One measured step of a capacity search. */
export const searchStepSchema = z.object({
  /** `grow` (doubling), `bisect`, or `repeat` (at the rate found, for the spread). */
  kind: z.enum(['grow', 'bisect', 'repeat']),
  offeredRatePerSecond: z.number().nonnegative(),
  /** Calls sent (dropped ones not counted) over the step's duration, or the time until the last answer less the median latency if longer. */
  achievedRatePerSecond: z.number().nonnegative(),
  durationMs: z.number().nonnegative(),
  calls: z.number().int().nonnegative(),
  errors: z.number().int().nonnegative(),
  p50Us: z.number().nonnegative(),
  p99Us: z.number().nonnegative(),
  maxUs: z.number().nonnegative(),
  objectives: z.array(objectiveOutcomeSchema),
  passed: z.boolean(),
  /** Why it failed, in words; null when it passed. */
  failure: z.string().nullable(),
  /** The run was stopped while this step measured: its figures cover `durationMs`, and it was not judged. */
  interrupted: z.boolean().optional(),
});

const spreadSchema = z.object({ min: z.number(), median: z.number(), max: z.number() });

/** What a capacity search found, and every step it took. */
export const capacitySearchSchema = z.object({
  slo: z.array(z.string()),
  /** The highest offered rate that met every objective, or null when none did. */
  foundRatePerSecond: z.number().nonnegative().nullable(),
  /** The lowest failing rate above it: the true capacity lies in [found, failing). */
  failingRatePerSecond: z.number().nonnegative().nullable(),
  stoppedBy: z.enum(['converged', 'max-rate', 'min-rate', 'max-steps', 'max-time', 'stopped']),
  elapsedMs: z.number().nonnegative(),
  maxSteps: z.number().int().positive(),
  maxSearchMs: z.number().nonnegative(),
  /** Over every step at the rate found (the one that found it and the repeats); null when none passed. */
  spread: z
    .object({
      steps: z.number().int().positive(),
      passed: z.number().int().nonnegative(),
      achievedRatePerSecond: spreadSchema,
      p99Us: spreadSchema,
    })
    .nullable(),
  steps: z.array(searchStepSchema),
});

export type SearchStepRecord = z.infer<typeof searchStepSchema>;
export type CapacitySearchRecord = z.infer<typeof capacitySearchSchema>;
