import { type LoadedScenario, loadScenario } from '../scenario/scenario-loader.ts';
import { GateConfigError } from './errors.ts';
import { fingerprintOf } from './measure/measure-phase.ts';
import { type ProbeSpec, probeSpecsFor } from './measure/probe.ts';
import type { GateMetricName } from './samples.ts';
import { loadGateScenarioOptions, slowdownLimits } from './scenario-options.ts';

/** A scenario as the gate uses it: what its probes run, their fingerprint, and its limits. */
export interface GateScenario {
  loaded: LoadedScenario;
  specs: ProbeSpec[];
  fingerprint: string;
  limits: Record<GateMetricName, number>;
}

/**
 * Loads the scenario files of a gate run. Throws ScenarioError for a file that is not a valid
 * scenario or has an invalid `gate` export, GateConfigError when two files share a name (the
 * baseline is keyed by name).
 */
export async function loadGateScenarios(
  files: readonly string[],
  fallbackLimits: Record<GateMetricName, number>,
): Promise<GateScenario[]> {
  const scenarios: GateScenario[] = [];
  const fileOfName = new Map<string, string>();
  for (const file of files) {
    const loaded = await loadScenario(file);
    const name = loaded.scenario.name;
    const other = fileOfName.get(name);
    if (other !== undefined) {
      throw new GateConfigError(`${loaded.file}: scenario name "${name}" is also the name of ${other}`);
    }
    fileOfName.set(name, loaded.file);
    // Servers the harness does not start cannot be probed in process: their timing is the duet's.
    const specs = loaded.scenario.target === undefined ? probeSpecsFor(loaded.scenario, loaded.file) : [];
    const limits = slowdownLimits(await loadGateScenarioOptions(file), fallbackLimits);
    scenarios.push({ loaded, specs, fingerprint: fingerprintOf(specs), limits });
  }
  return scenarios;
}
