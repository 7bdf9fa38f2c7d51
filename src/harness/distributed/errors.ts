import type { RunResult } from '../../result/result-schema.ts';
import { RpcError } from '../../util/errors.ts';

/**
 * Load from several hosts could not go on: too few load hosts registered in time, one from another
 * rpcbench commit, a name taken twice, or a host lost mid-run. `agents` names the hosts concerned.
 */
export class AgentError extends RpcError {
  readonly agents: readonly string[];
  /** What was measured before the run ended, to be written as a partial result. */
  readonly partialResult: RunResult | undefined;

  constructor(
    agents: readonly string[],
    message: string,
    options?: ErrorOptions & { partialResult?: RunResult },
  ) {
    super('ERR_AGENT', message, options);
    this.agents = agents;
    this.partialResult = options?.partialResult;
  }
}
