import { SELECT_MODES } from '../xclient/select-mode.ts';

/** The XClient's select modes, and `broadcast`: every call goes to every server. */
export const SELECT_MODE_NAMES = [...SELECT_MODES, 'broadcast'] as const;
export type ScenarioSelectMode = (typeof SELECT_MODE_NAMES)[number];

/** One measured phase of a scenario: a select mode, with cached clients or a dial per call. */
export interface PhasePlan {
  /** `roundrobin`, or `roundrobin/cached` and `roundrobin/dial` when reuseClients is 'compare'. */
  label: string;
  mode: ScenarioSelectMode;
  reuseClients: boolean;
}

/** The phases in the order they run: every mode, each with cached clients then with a dial per call. */
export function planPhases(scenario: {
  select: readonly ScenarioSelectMode[];
  reuseClients: boolean | 'compare';
}): PhasePlan[] {
  const phases: PhasePlan[] = [];
  for (const mode of scenario.select) {
    if (scenario.reuseClients === 'compare') {
      phases.push({ label: `${mode}/cached`, mode, reuseClients: true });
      phases.push({ label: `${mode}/dial`, mode, reuseClients: false });
    } else {
      phases.push({ label: mode, mode, reuseClients: scenario.reuseClients });
    }
  }
  return phases;
}
