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
  /** The phase's XClients eject outliers (the scenario's `outlierDetection`); `+ejection` ends its label when compared. */
  outlierDetection: boolean;
}

/**
 * The phases in the order they run: every mode, each with cached clients then with a dial per
 * call, each of those without then with outlier ejection when the scenario compares them.
 */
export function planPhases(scenario: {
  select: readonly ScenarioSelectMode[];
  reuseClients: boolean | 'compare';
  outlierDetection?: { compare: boolean } | undefined;
}): PhasePlan[] {
  const reuse: [string, boolean][] =
    scenario.reuseClients === 'compare'
      ? [
          ['/cached', true],
          ['/dial', false],
        ]
      : [['', scenario.reuseClients]];
  const detection = scenario.outlierDetection;
  const ejection: [string, boolean][] =
    detection === undefined
      ? [['', false]]
      : detection.compare
        ? [
            ['', false],
            ['+ejection', true],
          ]
        : [['', true]];
  const phases: PhasePlan[] = [];
  for (const mode of scenario.select) {
    for (const [reuseSuffix, reuseClients] of reuse) {
      for (const [ejectionSuffix, outlierDetection] of ejection) {
        phases.push({
          label: `${mode}${reuseSuffix}${ejectionSuffix}`,
          mode,
          reuseClients,
          outlierDetection,
        });
      }
    }
  }
  return phases;
}
