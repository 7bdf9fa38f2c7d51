import { z } from 'zod';

/** One function's self time in the CPU profiles of one kind of thread. */
export const profileFunctionSchema = z.object({
  /** `(anonymous)` for an unnamed function; V8's own `(garbage collector)` and `(program)` as V8 names them. */
  functionName: z.string(),
  /** Where it is defined: `file:line` (1-based), or '' for V8's own entries. */
  location: z.string(),
  selfMs: z.number().nonnegative(),
  /** Its share of the profiled threads' busy time (idle excluded), in percent. */
  selfPercent: z.number().nonnegative(),
});

/** The CPU profiles of one kind of thread (main, load, server): their files and the top self times. */
export const threadProfilesSchema = z.object({
  kind: z.string(),
  /** The `.cpuprofile` files, as written (Chrome DevTools and speedscope open them). */
  files: z.array(z.string()),
  /** Sampled time the threads were busy, idle excluded, summed over the files. */
  busyMs: z.number().nonnegative(),
  top: z.array(profileFunctionSchema),
});

export type ProfileFunction = z.infer<typeof profileFunctionSchema>;
export type ThreadProfiles = z.infer<typeof threadProfilesSchema>;
