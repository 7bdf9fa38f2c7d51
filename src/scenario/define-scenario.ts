import type { ScenarioInput } from './scenario-schema.ts';

/**
 * What a scenario file default-exports. It returns its argument unchanged: its use is the type,
 * which lets an editor check and complete the fields. Validation happens when the file is loaded.
 *
 * ```ts
 * export default defineScenario({ name: 'roundrobin', select: 'roundrobin', servers: { count: 3 } });
 * ```
 */
export function defineScenario(input: ScenarioInput): ScenarioInput {
  return input;
}
