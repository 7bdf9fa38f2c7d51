import type { RunResult } from '../../result/result-schema.ts';
import { formatDurationMs, formatPercent } from '../../util/format.ts';

type Fields = Record<string, unknown>;

const isFields = (value: unknown): value is Fields =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const numberOr = (value: unknown, fallback: number): number => (typeof value === 'number' ? value : fallback);

/**
 * What sets a server apart, from the scenario's behaviour in the result: `slow x5`, `errors 10%`,
 * `stalls at 2 s for 1 s`, `crashes at 3 s`, `weight 2`. Read leniently: a result without a
 * behaviour (an external target, an older file) simply has none.
 */
function traits(behaviour: Fields): string[] {
  const found: string[] = [];
  const slow = numberOr(behaviour.slowFactor, 1);
  if (slow !== 1) found.push(`slow x${slow}`);
  const errorRate = numberOr(behaviour.errorRate, 0);
  if (errorRate > 0) found.push(`errors ${formatPercent(errorRate, 0)}`);
  if (isFields(behaviour.stall)) {
    const { atMs, durationMs } = behaviour.stall;
    found.push(
      `stalls at ${formatDurationMs(numberOr(atMs, 0))} for ${formatDurationMs(numberOr(durationMs, 0))}`,
    );
  }
  if (isFields(behaviour.crash))
    found.push(`crashes at ${formatDurationMs(numberOr(behaviour.crash.atMs, 0))}`);
  const weight = numberOr(behaviour.weight, 1);
  if (weight !== 1) found.push(`weight ${weight}`);
  return found;
}

/**
 * "server 3, slow x5": the server's index (as the scenario's overrides number them) and what its
 * behaviour changes from a plain server; just "server 3" when nothing does or nothing is known.
 */
export function serverLabel(result: RunResult, index: number): string {
  const servers = result.scenario.config.servers;
  const name = `server ${index}`;
  if (!isFields(servers)) return name;
  const base = isFields(servers.behaviour) ? servers.behaviour : {};
  const override = isFields(servers.overrides) ? servers.overrides[String(index)] : undefined;
  const behaviour = { ...base, ...(isFields(override) ? override : {}) };
  const found = traits(behaviour);
  return found.length === 0 ? name : `${name}, ${found.join(', ')}`;
}
