import { randomBytes } from 'node:crypto';
import { Bench } from '../../rpc/server/builtin-services.ts';
import { Server } from '../../rpc/server/server.ts';
import { planPhases } from '../../scenario/phase-plan.ts';
import {
  HASH_KEY_COUNT,
  openPhaseClients,
  type PhaseClients,
  type PhaseRpcSetup,
  phaseRpcSetup,
  serverListenAddress,
} from '../../scenario/rpc-setup.ts';
import type { ResolvedScenario } from '../../scenario/scenario-schema.ts';
import { createSeededRandom } from '../../util/seeded-random.ts';
import type { XClient } from '../../xclient/xclient.ts';
import { GateMeasurementError } from '../errors.ts';
import type { SliceWorkload } from './slice.ts';

/** The calls kept in flight when the scenario's load model has no concurrency (open model). */
export const OPEN_MODEL_PROBE_CONCURRENCY = 64;
const SERVICE_METHOD = 'Bench.Echo';

/** What the probe of one scenario phase runs: the scenario's RPC set-up, with servers that only echo. */
export interface ProbeSpec {
  /** The phase label, as in the scenario's results. */
  label: string;
  setup: PhaseRpcSetup;
  /** The reference echoes a payload of the same size. */
  payloadBytes: number;
  servers: number;
  concurrency: number;
  seed: number;
}

/**
 * The probes of a scenario: one per phase that reuses its connections. Phases that dial for every
 * call are left to the scenario run (their correctness is still checked): thousands of dials a
 * second for a minute would exhaust the machine's ephemeral ports.
 */
export function probeSpecsFor(scenario: ResolvedScenario, file: string): ProbeSpec[] {
  return planPhases(scenario)
    .filter((plan) => plan.reuseClients)
    .map((plan) => ({
      label: plan.label,
      setup: phaseRpcSetup(scenario, plan, file),
      payloadBytes: scenario.payloadBytes,
      servers: scenario.servers.count,
      concurrency:
        scenario.load.model === 'closed' ? scenario.load.concurrency : OPEN_MODEL_PROBE_CONCURRENCY,
      seed: scenario.seed,
    }));
}

/**
 * The RPC path of one scenario phase, measured in this thread: servers that echo at once, and an
 * XClient over them with the phase's select mode, codec and transport. Client and servers share
 * the thread so that the CPU time of a call is all of its cost, unmixed with waiting for another
 * thread that the scheduler has put aside.
 */
export class RpcProbe implements SliceWorkload {
  readonly #servers: Server[];
  readonly #clients: PhaseClients;
  readonly #client: XClient;
  readonly #args: unknown;
  #keyIndex = 0;

  private constructor(servers: Server[], clients: PhaseClients, args: unknown) {
    this.#servers = servers;
    this.#clients = clients;
    this.#client = clients.clients[0]!;
    this.#args = args;
  }

  static async start(spec: ProbeSpec): Promise<RpcProbe> {
    const servers: Server[] = [];
    try {
      const runTag = `gate-${randomBytes(4).toString('hex')}`;
      const addresses: string[] = [];
      for (let index = 0; index < spec.servers; index++) {
        const server = new Server({ log: () => {} }).register(new Bench());
        servers.push(server);
        addresses.push(await server.listen(serverListenAddress(spec.setup.transport, runTag, index)));
      }
      const random = createSeededRandom(spec.seed);
      return new RpcProbe(
        servers,
        await openPhaseClients(spec.setup, addresses, { random, count: 1 }),
        spec.setup.call.args,
      );
    } catch (error) {
      await Promise.allSettled(servers.map((server) => server.destroy()));
      throw new GateMeasurementError(`probe ${spec.label}: cannot start: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }

  call(): Promise<unknown> {
    const { broadcast, callOptions } = this.#clients;
    if (broadcast) return this.#broadcastOnce();
    return this.#client.call(
      SERVICE_METHOD,
      this.#args,
      callOptions?.[this.#keyIndex++ & (HASH_KEY_COUNT - 1)],
    );
  }

  async close(): Promise<void> {
    await this.#clients.close();
    await Promise.allSettled(this.#servers.map((server) => server.destroy()));
  }

  async #broadcastOnce(): Promise<unknown> {
    const outcomes = await this.#client.broadcastAll(SERVICE_METHOD, this.#args);
    for (const outcome of outcomes) if (outcome.error !== undefined) throw outcome.error;
    return outcomes;
  }
}
