import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { ScenarioError } from '../scenario/errors.ts';
import type { GateMetricName } from './samples.ts';

const fraction = z
  .number({ error: 'must be a number' })
  .gt(0, { error: 'must be a fraction above 0, such as 0.1 for 10 %' })
  .max(10, { error: 'must be at most 10' });

/**
 * What a scenario file may export as `gate`, beside its default export, to set its own limits,
 * named as the command-line options: `export const gate = { maxSlowdown: 0.15 }`.
 */
export const gateScenarioOptionsSchema = z.strictObject({
  /** The slowdown tolerated in CPU time per call. */
  maxSlowdown: fraction.optional(),
  /** The slowdown tolerated in wall-clock calls per second. */
  maxThroughputSlowdown: fraction.optional(),
});

export type GateScenarioOptions = z.infer<typeof gateScenarioOptionsSchema>;

/**
 * Reads the `gate` export of a scenario file; none means no options. The file was imported by
 * loadScenario already, so this import is the cached module. Throws ScenarioError naming the field.
 */
export async function loadGateScenarioOptions(file: string): Promise<GateScenarioOptions> {
  const module = (await import(pathToFileURL(resolve(file)).href)) as { gate?: unknown };
  if (module.gate === undefined) return {};
  const parsed = gateScenarioOptionsSchema.safeParse(module.gate);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const path = ['gate', ...issue.path.map(String)].join('.');
  throw new ScenarioError(file, path, issue.message);
}

/** Each metric's limit: the scenario's own, else the command line's. */
export function slowdownLimits(
  options: GateScenarioOptions,
  fallback: Record<GateMetricName, number>,
): Record<GateMetricName, number> {
  return {
    cost: options.maxSlowdown ?? fallback.cost,
    throughput: options.maxThroughputSlowdown ?? fallback.throughput,
  };
}
