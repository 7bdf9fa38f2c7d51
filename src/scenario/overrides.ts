import type { LoadedScenario } from './scenario-loader.ts';
import { validateScenario } from './scenario-loader.ts';
import type { ResolvedScenario } from './scenario-schema.ts';

/** Command-line changes to a scenario, to shorten a run. */
export interface ScenarioOverrides {
  /** Replaces durationMs; rounded to whole milliseconds. */
  durationMs?: number;
  /** Sets a call budget per phase. */
  calls?: number;
  /** Replaces warmupMs. */
  warmupMs?: number;
  /** Replaces the load with a capacity search for this objective (`p99<5ms`), its other fields defaulted. */
  search?: string;
}

/**
 * The scenario with the overrides applied, validated again so that an override breaks no rule.
 * Time-based behaviours (a crash at 3 s) keep their times: a shortened run may end before them.
 */
export function applyOverrides(loaded: LoadedScenario, overrides: ScenarioOverrides): LoadedScenario {
  const changed: ResolvedScenario = { ...loaded.scenario };
  if (overrides.durationMs !== undefined) changed.durationMs = Math.round(overrides.durationMs);
  if (overrides.calls !== undefined) changed.calls = overrides.calls;
  if (overrides.warmupMs !== undefined) changed.warmupMs = overrides.warmupMs;
  if (overrides.search !== undefined) {
    const { load } = changed;
    changed.load = {
      model: 'search',
      slo: [overrides.search],
      ...(load.model === 'closed' ? {} : { maxInFlight: load.maxInFlight }),
    } as ResolvedScenario['load'];
  }
  return { file: loaded.file, scenario: validateScenario(changed, loaded.file) };
}
