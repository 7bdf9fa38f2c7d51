import { gitCommit } from '../../result/environment.ts';
import type { RunResult } from '../../result/result-schema.ts';
import type { LoadedScenario } from '../../scenario/scenario-loader.ts';
import { type RunOptions, runScenario } from '../runner.ts';
import { AgentFleet } from './agent-fleet.ts';
import { AgentError } from './errors.ts';

export interface AgentsOptions {
  etcd: string[];
  /** How many load hosts, or which by name. */
  want: number | readonly string[];
  /** Bound on waiting for them to register, ms. */
  waitMs: number;
  prefix?: string;
}

/**
 * Runs a scenario with its load from hosts registered in etcd: the servers (simulated, on
 * `listenHost`, or the scenario's target) and the phase protocol stay here; the load threads run
 * on the hosts. A host lost mid-phase stops the run: the result is partial, with what the others
 * measured, and names it in `agents.lost`.
 */
export async function runOnAgents(
  loaded: LoadedScenario,
  agents: AgentsOptions,
  options: Omit<RunOptions, 'phaseLoad'> = {},
): Promise<RunResult> {
  if (loaded.scenario.target === undefined && loaded.scenario.transport === 'unix') {
    throw new AgentError(
      [],
      'load hosts cannot reach simulated servers on unix sockets: use transport tcp or http',
    );
  }
  const fleet = await AgentFleet.gather({
    etcd: agents.etcd,
    want: agents.want,
    waitMs: agents.waitMs,
    commit: await gitCommit(),
    defaultThreads: loaded.scenario.loadThreads,
    ...(agents.prefix === undefined ? {} : { prefix: agents.prefix }),
  });
  const controller = new AbortController();
  const abort = () => controller.abort();
  options.signal?.addEventListener('abort', abort, { once: true });
  if (options.signal?.aborted) abort();
  fleet.onLost(abort);
  try {
    const result = await runScenario(loaded, {
      ...options,
      signal: controller.signal,
      phaseLoad: fleet.phaseLoad(),
    });
    const withAgents: RunResult = {
      ...result,
      agents: {
        etcd: agents.etcd,
        hosts: fleet.hosts.map(({ name, host, cores, threads, node }) => ({
          name,
          host,
          cores,
          threads,
          node,
        })),
        lost: [...fleet.lost],
      },
    };
    const malformed = fleet.malformed;
    if (malformed !== undefined) {
      throw new AgentError(malformed.agents, malformed.message, {
        cause: malformed,
        partialResult: { ...withAgents, partial: true },
      });
    }
    return withAgents;
  } finally {
    options.signal?.removeEventListener('abort', abort);
    await fleet.close();
  }
}
