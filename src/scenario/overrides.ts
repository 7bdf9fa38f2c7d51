import { resolve } from 'node:path';
import type { GobBudget } from '../rpc/gob/budget.ts';
import type { ScenarioSelectMode } from './phase-plan.ts';
import type { LoadedScenario } from './scenario-loader.ts';
import { validateScenario } from './scenario-loader.ts';
import type { ResolvedScenario, ScenarioInput } from './scenario-schema.ts';

/** Where a scenario built from the command line alone is said to come from, in messages and results. */
export const COMMAND_LINE_SCENARIO = '(command line)';
/** The name of a scenario built from the command line without --name: it names the result file. */
export const COMMAND_LINE_SCENARIO_NAME = 'target';

/** Command-line changes to a scenario: each replaces the matching field. */
export interface ScenarioOverrides {
  name?: string;
  /** Replaces durationMs; rounded to whole milliseconds. */
  durationMs?: number;
  /** Sets a call budget per phase. */
  calls?: number;
  /** Replaces warmupMs. */
  warmupMs?: number;
  /** External servers: replaces the scenario's servers or target. */
  target?:
    | { addresses: string[] }
    | { registry: string }
    | { etcd: { endpoints: string[]; prefix?: string } };
  httpPath?: string;
  method?: string;
  /** Plain data (parsed from JSON) sent with every call. */
  args?: unknown;
  argsFile?: string;
  /** The Go source of the target's service: replaces goTypes (relative to the working directory). */
  goTypes?: string;
  codec?: ResolvedScenario['codec'];
  select?: ScenarioSelectMode[];
  /** The closed model with this many calls in flight. */
  concurrency?: number;
  /** The open model at this rate. */
  ratePerSecond?: number;
  maxInFlight?: number;
  thresholds?: string[];
  /** Replaces the load with a capacity search for this objective (`p99<5ms`), its other fields defaulted. */
  search?: string;
  /** A ramp: the open model's rates or the closed model's callers at the end of each stage. */
  stages?: { model: 'open' | 'closed'; stages: { durationMs: number; level: number }[] };
  /** XClients over all load threads (each keeps a connection to every server): replaces clients. */
  clients?: number;
  /** Replaces loadThreads. */
  loadThreads?: number;
  /** Replaces percentiles. */
  percentiles?: number[];
  /** With search: replace the search's stepDurationMs, maxSearchMs and startRatePerSecond. */
  searchStepMs?: number;
  searchMaxMs?: number;
  searchStartRatePerSecond?: number;
  /** Replaces maxUnsolicitedReplies. */
  maxUnsolicitedReplies?: number;
  /** Replaces callTimeoutMs. */
  callTimeoutMs?: number;
  /** Replaces the limits it gives of gobBudget; the scenario's others stay. */
  gobBudget?: GobBudget;
}

/**
 * The scenario with the overrides applied, validated again so that an override breaks no rule.
 * Time-based behaviours (a crash at 3 s) keep their times: a shortened run may end before them.
 */
export function applyOverrides(loaded: LoadedScenario, overrides: ScenarioOverrides): LoadedScenario {
  const { servers, ...rest } = loaded.scenario;
  // Validation fills in the simulated servers only when there is no target, so they are left out here.
  const base: Record<string, unknown> = rest.target === undefined ? { ...rest, servers } : { ...rest };
  return { file: loaded.file, scenario: validateScenario(overridden(base, overrides), loaded.file) };
}

/** A scenario from the command line alone: a target, a method and the load, everything else defaulted. */
export function scenarioFromOverrides(overrides: ScenarioOverrides): LoadedScenario {
  const base: ScenarioInput = { name: COMMAND_LINE_SCENARIO_NAME };
  return {
    file: COMMAND_LINE_SCENARIO,
    scenario: validateScenario(overridden(base as Record<string, unknown>, overrides), COMMAND_LINE_SCENARIO),
  };
}

function overridden(base: Record<string, unknown>, overrides: ScenarioOverrides): Record<string, unknown> {
  const changed: Record<string, unknown> = { ...base };
  const set = (key: string, value: unknown) => {
    if (value !== undefined) changed[key] = value;
  };
  set('name', overrides.name);
  if (overrides.durationMs !== undefined) changed.durationMs = Math.round(overrides.durationMs);
  set('calls', overrides.calls);
  set('warmupMs', overrides.warmupMs);
  set('codec', overrides.codec);
  set('goTypes', overrides.goTypes === undefined ? undefined : resolve(overrides.goTypes));
  set('select', overrides.select);
  set('thresholds', overrides.thresholds);
  set('clients', overrides.clients);
  set('loadThreads', overrides.loadThreads);
  set('percentiles', overrides.percentiles);
  set('maxUnsolicitedReplies', overrides.maxUnsolicitedReplies);
  set('callTimeoutMs', overrides.callTimeoutMs);
  if (overrides.gobBudget !== undefined) {
    changed.gobBudget = { ...((changed.gobBudget as object | undefined) ?? {}), ...overrides.gobBudget };
  }
  overrideTarget(changed, overrides);
  overrideCall(changed, overrides);
  overrideLoad(changed, overrides);
  overrideSearch(changed, overrides);
  return changed;
}

/** The target and its CONNECT path; a target replaces the simulated servers. */
function overrideTarget(changed: Record<string, unknown>, overrides: ScenarioOverrides): void {
  if (overrides.target !== undefined) {
    delete changed.servers;
    const previous = changed.target as { httpPath?: string; debugUrls?: Record<string, string> } | undefined;
    changed.target = {
      ...overrides.target,
      ...(previous?.httpPath === undefined ? {} : { httpPath: previous.httpPath }),
      ...(previous?.debugUrls === undefined ? {} : { debugUrls: previous.debugUrls }),
    };
  }
  if (overrides.httpPath !== undefined) {
    changed.target = { ...((changed.target as object | undefined) ?? {}), httpPath: overrides.httpPath };
  }
}

/** The method and its arguments. */
function overrideCall(changed: Record<string, unknown>, overrides: ScenarioOverrides): void {
  if (overrides.method !== undefined || overrides.args !== undefined || overrides.argsFile !== undefined) {
    const previous = (changed.call as Record<string, unknown> | undefined) ?? {};
    const call: Record<string, unknown> = { ...previous };
    if (overrides.method !== undefined) call.method = overrides.method;
    if (overrides.args !== undefined || overrides.argsFile !== undefined) {
      // New arguments replace the old ones whatever their form, and a check written for those goes with them.
      delete call.args;
      delete call.argsFile;
      delete call.check;
      if (overrides.args !== undefined) call.args = overrides.args;
      if (overrides.argsFile !== undefined) call.argsFile = overrides.argsFile;
    }
    changed.call = call;
  }
}

/** The load model: an open rate, a concurrency, the in-flight bound or stages. */
function overrideLoad(changed: Record<string, unknown>, overrides: ScenarioOverrides): void {
  if (overrides.ratePerSecond !== undefined) {
    const previous = changed.load as { model?: string; maxInFlight?: number } | undefined;
    changed.load = {
      model: 'open',
      ratePerSecond: overrides.ratePerSecond,
      ...(previous?.model === 'open' && previous.maxInFlight !== undefined
        ? { maxInFlight: previous.maxInFlight }
        : {}),
      ...(overrides.maxInFlight === undefined ? {} : { maxInFlight: overrides.maxInFlight }),
    };
  } else if (overrides.concurrency !== undefined) {
    changed.load = { model: 'closed', concurrency: overrides.concurrency };
  } else if (overrides.maxInFlight !== undefined) {
    changed.load = {
      ...((changed.load as object | undefined) ?? { model: 'open' }),
      maxInFlight: overrides.maxInFlight,
    };
  }
  if (overrides.stages !== undefined) {
    const { model, stages } = overrides.stages;
    const level = model === 'open' ? 'ratePerSecond' : 'concurrency';
    const previous = changed.load as { model?: string; maxInFlight?: number } | undefined;
    changed.load = {
      model,
      stages: stages.map((stage) => ({ durationMs: stage.durationMs, [level]: stage.level })),
      ...(model === 'open' && previous?.model === 'open' && previous.maxInFlight !== undefined
        ? { maxInFlight: previous.maxInFlight }
        : {}),
      ...(model === 'open' && overrides.maxInFlight !== undefined
        ? { maxInFlight: overrides.maxInFlight }
        : {}),
    };
  }
}

/** A capacity search and its steps. */
function overrideSearch(changed: Record<string, unknown>, overrides: ScenarioOverrides): void {
  if (overrides.search !== undefined) {
    const load = changed.load as { model?: string; maxInFlight?: number } | undefined;
    changed.load = {
      model: 'search',
      slo: [overrides.search],
      ...(load?.maxInFlight === undefined ? {} : { maxInFlight: load.maxInFlight }),
    };
  }
  if (
    overrides.searchStepMs !== undefined ||
    overrides.searchMaxMs !== undefined ||
    overrides.searchStartRatePerSecond !== undefined
  ) {
    const load = { ...((changed.load as Record<string, unknown> | undefined) ?? {}) };
    if (overrides.searchStepMs !== undefined) load.stepDurationMs = Math.round(overrides.searchStepMs);
    if (overrides.searchMaxMs !== undefined) load.maxSearchMs = Math.round(overrides.searchMaxMs);
    if (overrides.searchStartRatePerSecond !== undefined)
      load.startRatePerSecond = overrides.searchStartRatePerSecond;
    changed.load = load;
  }
}
