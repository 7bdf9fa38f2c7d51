import type { RunResult } from '../../result/result-schema.ts';
import type { LoadedScenario } from '../../scenario/scenario-loader.ts';
import { msToSeconds } from '../../util/units.ts';
import { AgentError } from '../distributed/errors.ts';
import { type AgentsOptions, runOnAgents } from '../distributed/run-on-agents.ts';
import {
  DEFAULT_METRICS_LINGER_MS,
  type LiveEndpoint,
  serveLiveMetrics,
} from '../metrics/prometheus/live-endpoint.ts';
import type { MetricsServerLimits } from '../metrics/prometheus/metrics-server.ts';
import { profiledRun } from '../profile/profile-run.ts';
import { formatProfiles } from '../profile/profile-summary.ts';
import { type RunOptions, runScenario } from '../runner.ts';
import { listenForStop, type StopSignal } from './stop-signals.ts';

/** What follows one scenario as it runs (a progress bar, or a line per phase). */
export type ScenarioObserver = Pick<RunOptions, 'onProgress' | 'onPhaseEnd' | 'onSearchStep'> & {
  /** The scenario has finished, or failed. */
  stop?: () => void;
};

export interface RunScenariosOptions {
  /** Serve live Prometheus metrics here during the run (`--metrics-listen`). */
  metricsListen?: { host: string; port: number };
  /** What whoever connects to the live metrics may make the endpoint hold; the defaults where left out. */
  metricsLimits?: MetricsServerLimits;
  /** After the run, keep serving until a scrape has read the final figures, at most this long (ms). */
  metricsLingerMs?: number;
  /** Run the load from load hosts registered in etcd instead of from this process. */
  agents?: AgentsOptions;
  memoryBudgetBytes?: number;
  listenHost?: string;
  /** Profile every thread of each scenario; its `.cpuprofile` files go to a new folder under this one. */
  profileDir?: string;
  /** Made as each scenario starts. */
  observe?: (loaded: LoadedScenario) => ScenarioObserver;
  /** Lines for the person running it: the live metrics' address, the stop request, the linger. */
  notice?: (line: string) => void;
  /** A second signal, later than the repeat window: the caller quits at once. */
  onQuitNow?: (firstSignal: StopSignal) => void;
}

export interface RunScenariosOutcome {
  /** Every scenario's result so far; the last is partial when the run was stopped or failed. */
  results: RunResult[];
  /** The signal that stopped the run, if one did. */
  stoppedBy?: StopSignal;
  /** Why the run failed (a load host lost, a target that cannot be reached, …); undefined when it did not. */
  failure?: string;
}

/**
 * Runs scenarios one after another, each with its load here or on load hosts, as a person at a
 * terminal or a CI job expects: SIGINT and SIGTERM stop the run with a partial result, live
 * metrics are served while it runs, and a load host lost mid-run ends it with what was measured.
 */
export async function runScenarios(
  loaded: readonly LoadedScenario[],
  options: RunScenariosOptions = {},
): Promise<RunScenariosOutcome> {
  const notice = options.notice ?? (() => {});
  const stop = listenForStop({
    onStop: (signal) =>
      notice(
        `stopping (${signal}): finishing calls in flight and writing a partial result (again after 1 s to quit now)`,
      ),
    onQuitNow: (signal) => options.onQuitNow?.(signal),
  });
  const results: RunResult[] = [];
  let endpoint: LiveEndpoint | undefined;
  const outcome = (failure?: string): RunScenariosOutcome => ({
    results,
    ...(stop.stoppedBy === undefined ? {} : { stoppedBy: stop.stoppedBy }),
    ...(failure === undefined ? {} : { failure }),
  });
  try {
    if (options.metricsListen !== undefined) {
      endpoint = await serveLiveMetrics(options.metricsListen, options.metricsLimits);
      notice(`serving live metrics at ${endpoint.url}`);
    }
    for (const scenario of loaded) {
      if (stop.signal.aborted) break;
      results.push(
        await runProfiled(scenario, options, () => runOne(scenario, options, stop.signal, endpoint)),
      );
      const lost = results.at(-1)?.agents?.lost ?? [];
      if (lost.length > 0) {
        return outcome(
          `load host ${lost.join(', ')} was lost mid-run (its etcd lease expired); the result is partial`,
        );
      }
    }
    await linger(endpoint, options.metricsLingerMs ?? DEFAULT_METRICS_LINGER_MS, stop.signal, notice);
  } catch (error) {
    if (error instanceof AgentError && error.partialResult !== undefined) results.push(error.partialResult);
    return outcome((error as Error).message);
  } finally {
    await endpoint?.close();
    stop.dispose();
  }
  return outcome();
}

/** The run, profiled when asked: its result then lists the heaviest functions of each kind of thread. */
async function runProfiled(
  loaded: LoadedScenario,
  options: RunScenariosOptions,
  run: () => Promise<RunResult>,
): Promise<RunResult> {
  if (options.profileDir === undefined) return run();
  const profiled = await profiledRun(options.profileDir, loaded.scenario.name, run);
  options.notice?.(`${formatProfiles(profiled.profiles)}\nwrote the profiles to ${profiled.dir}`);
  return { ...profiled.value, profiles: profiled.profiles };
}

/** One scenario, here or on the load hosts, followed by its observer. */
async function runOne(
  loaded: LoadedScenario,
  options: RunScenariosOptions,
  signal: AbortSignal,
  endpoint: LiveEndpoint | undefined,
): Promise<RunResult> {
  const { stop, ...observer } = options.observe?.(loaded) ?? {};
  const runOptions: RunOptions = {
    signal,
    ...observer,
    ...(options.memoryBudgetBytes === undefined ? {} : { memoryBudgetBytes: options.memoryBudgetBytes }),
    ...(options.listenHost === undefined ? {} : { listenHost: options.listenHost }),
    ...(endpoint === undefined ? {} : { liveMetrics: endpoint.metrics }),
  };
  try {
    return options.agents === undefined
      ? await runScenario(loaded, runOptions)
      : await runOnAgents(loaded, options.agents, runOptions);
  } finally {
    stop?.();
  }
}

/** The final figures stay up until a scrape has read them (at most `lingerMs`), unless the run was stopped. */
async function linger(
  endpoint: LiveEndpoint | undefined,
  lingerMs: number,
  signal: AbortSignal,
  notice: (line: string) => void,
): Promise<void> {
  if (endpoint === undefined || lingerMs <= 0 || signal.aborted) return;
  notice(
    `keeping ${endpoint.url} up until a scrape reads the final figures, at most ${msToSeconds(lingerMs)}s (--metrics-linger 0 closes at once)`,
  );
  await endpoint.linger(lingerMs, signal);
}
