import { randomBytes } from 'node:crypto';
import {
  HASH_KEY_COUNT,
  openPhaseClients,
  type PhaseClients,
  phaseRpcSetup,
} from '../../harness/clients/phase-clients.ts';
import { CheckFailedError } from '../../harness/errors.ts';
import { type CallInputs, prepareCallInputs } from '../../harness/load/call-inputs.ts';
import { serviceModule } from '../../harness/runner.ts';
import { serverListenAddress } from '../../harness/servers/listen-address.ts';
import {
  loadUserService,
  type UserServiceSpec,
  wrapUserService,
} from '../../harness/servers/user-service.ts';
import { Bench } from '../../rpc/server/builtin-services.ts';
import { Server } from '../../rpc/server/server.ts';
import { planPhases } from '../../scenario/phase-plan.ts';
import { DEFAULT_METHOD, type PhaseRpcSetup } from '../../scenario/phase-rpc-setup.ts';
import type { ResolvedScenario } from '../../scenario/scenario-schema.ts';
import { createSeededRandom } from '../../util/seeded-random.ts';
import type { XClient } from '../../xclient/xclient.ts';
import { GateMeasurementError } from '../errors.ts';
import type { WindowWorkload } from './window.ts';

/** The calls kept in flight when the scenario's load model has no concurrency (open model). */
export const OPEN_MODEL_PROBE_CONCURRENCY = 64;
/** `Load.Work` with every behaviour off answers with its arguments: the probe's servers echo them. */
const ECHO_METHOD = 'Bench.Echo';

/**
 * What the probe of one scenario phase runs: the scenario's RPC set-up and call, with servers that
 * answer at once (the scenario's service, if it names one, with no service time or other behaviour).
 */
export interface ProbeSpec {
  /** The phase label, as in the scenario's results. */
  label: string;
  setup: PhaseRpcSetup;
  /** The scenario's `servers.service`, its module path absolute; absent for the simulated servers alone. */
  service?: UserServiceSpec;
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
  const service = serviceModule({ scenario, file });
  return planPhases(scenario)
    .filter((plan) => plan.reuseClients)
    .map((plan) => ({
      label: plan.label,
      setup: phaseRpcSetup(scenario, plan, file),
      ...(service === undefined ? {} : { service }),
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
export class RpcProbe implements WindowWorkload {
  readonly #servers: Server[];
  readonly #clients: PhaseClients;
  readonly #client: XClient;
  readonly #method: string;
  readonly #inputs: CallInputs;
  #keyIndex = 0;
  #callIndex = 0;

  private constructor(servers: Server[], clients: PhaseClients, inputs: CallInputs) {
    this.#servers = servers;
    this.#clients = clients;
    this.#client = clients.clients[0]!;
    this.#inputs = inputs;
    this.#method = inputs.method === DEFAULT_METHOD ? ECHO_METHOD : inputs.method;
  }

  static async start(spec: ProbeSpec): Promise<RpcProbe> {
    const servers: Server[] = [];
    try {
      const random = createSeededRandom(spec.seed);
      const inputs = await prepareCallInputs(spec.setup.call, random);
      const service = spec.service === undefined ? undefined : await loadUserService(spec.service);
      // Wrapped as the simulated servers wrap it, with every behaviour off: the call runs at once.
      const methods = service === undefined ? undefined : wrapUserService(service, RUN_AT_ONCE);
      const runTag = `gate-${randomBytes(4).toString('hex')}`;
      const addresses: string[] = [];
      for (let index = 0; index < spec.servers; index++) {
        const server = new Server({ log: () => {} }).register(new Bench());
        if (service !== undefined && methods !== undefined) server.register(methods, { name: service.name });
        servers.push(server);
        addresses.push(await server.listen(serverListenAddress(spec.setup.transport, runTag, index)));
      }
      return new RpcProbe(
        servers,
        await openPhaseClients(spec.setup, addresses, { random, count: 1 }),
        inputs,
      );
    } catch (error) {
      await Promise.allSettled(servers.map((server) => server.destroy()));
      throw new GateMeasurementError(`probe ${spec.label}: cannot start: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }

  /** The same calls to servers running elsewhere (a build under test): nothing is started here. */
  static async connect(spec: ProbeSpec, addresses: readonly string[]): Promise<RpcProbe> {
    try {
      const random = createSeededRandom(spec.seed);
      const inputs = await prepareCallInputs(spec.setup.call, random);
      return new RpcProbe([], await openPhaseClients(spec.setup, addresses, { random, count: 1 }), inputs);
    } catch (error) {
      throw new GateMeasurementError(`${spec.label}: cannot connect: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }

  async call(): Promise<unknown> {
    const { broadcast, callOptions } = this.#clients;
    const { argsAt, check } = this.#inputs;
    const args = argsAt === undefined ? this.#inputs.args : argsAt(this.#callIndex++);
    if (broadcast) return this.#broadcastOnce(args);
    const reply = await this.#client.call(
      this.#method,
      args,
      callOptions?.[this.#keyIndex++ & (HASH_KEY_COUNT - 1)],
    );
    if (check !== undefined) checkReply(check, reply, args, '');
    return reply;
  }

  /** The servers the calls go to now: the fixed list, or a registry's or etcd's current one. */
  servers(): Promise<string[]> {
    return this.#clients.discovery.getAll();
  }

  /** Every call goes to all servers. */
  get broadcast(): boolean {
    return this.#clients.broadcast;
  }

  async close(): Promise<void> {
    await this.#clients.close();
    await Promise.allSettled(this.#servers.map((server) => server.destroy()));
  }

  async #broadcastOnce(args: unknown): Promise<unknown> {
    const outcomes = await this.#client.broadcastAll(this.#method, args);
    for (const outcome of outcomes) if (outcome.error !== undefined) throw outcome.error;
    const { check } = this.#inputs;
    if (check !== undefined)
      for (const outcome of outcomes) checkReply(check, outcome.reply, args, outcome.address);
    return outcomes;
  }
}

const RUN_AT_ONCE = { handle: (_args: unknown, work: () => unknown): unknown => work() };

/** A reply the scenario's `call.check` refuses fails the call (ERR_CHECK), and so the probe. */
function checkReply(
  check: NonNullable<CallInputs['check']>,
  reply: unknown,
  args: unknown,
  address: string,
): void {
  const verdict = check(reply, args);
  if (verdict !== true) throw new CheckFailedError(address, verdict);
}
