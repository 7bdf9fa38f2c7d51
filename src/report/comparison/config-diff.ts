import type { RunResult } from '../../result/result-schema.ts';

/** One setting that is not the same in every run. */
export interface ConfigDifference {
  /** `codec`, `load.concurrency`, `servers.overrides.3.slowFactor`, `commit`, ... */
  field: string;
  /** Each run's value as text; `—` where a run has none. */
  values: string[];
}

/** Fields a reader looks for first, in this order; the rest follow alphabetically. */
const FIRST_FIELDS = ['codec', 'transport', 'load', 'servers', 'select', 'commit'];

function flatten(value: unknown, prefix: string, into: Map<string, string>): void {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const entries = Object.entries(value);
    if (entries.length === 0) into.set(prefix, '{}');
    for (const [key, inner] of entries) flatten(inner, prefix === '' ? key : `${prefix}.${key}`, into);
    return;
  }
  into.set(prefix, typeof value === 'string' ? value : JSON.stringify(value));
}

/** A run's settings as flat fields: the validated scenario, plus the commit and machine it ran on. */
function settingsOf(result: RunResult): Map<string, string> {
  const settings = new Map<string, string>();
  flatten(result.scenario.config, '', settings);
  settings.set('commit', result.environment.gitCommit ?? 'unknown');
  settings.set('node', result.environment.node);
  settings.set('machine', `${result.environment.cpuModel} × ${result.environment.cores}`);
  return settings;
}

function rank(field: string): number {
  const at = FIRST_FIELDS.findIndex((first) => field === first || field.startsWith(`${first}.`));
  return at === -1 ? FIRST_FIELDS.length : at;
}

/** The settings that differ between the runs, the ones that matter most first. */
export function configDifferences(results: readonly RunResult[]): ConfigDifference[] {
  const settings = results.map(settingsOf);
  const fields = [...new Set(settings.flatMap((s) => [...s.keys()]))];
  return fields
    .map((field) => ({ field, values: settings.map((s) => s.get(field) ?? '—') }))
    .filter(({ values }) => values.some((value) => value !== values[0]))
    .sort((x, y) => rank(x.field) - rank(y.field) || x.field.localeCompare(y.field));
}

/** The scenario names when the runs are not all of one scenario, else null. */
export function differentScenarios(results: readonly RunResult[]): string[] | null {
  const names = [...new Set(results.map((result) => result.scenario.name))];
  return names.length > 1 ? names : null;
}
