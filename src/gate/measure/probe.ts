import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Bench } from '../../rpc/builtin-services.ts';
import type { CodecName } from '../../rpc/codec.ts';
import { Server } from '../../rpc/server.ts';
import { planPhases } from '../../scenario/phase-plan.ts';
import {
  type ResolvedScenario,
  resolveServerBehaviours,
  type ScenarioSelectMode,
} from '../../scenario/scenario-schema.ts';
import { createSeededRandom } from '../../util/seeded-random.ts';
import { MultiServersDiscovery } from '../../xclient/discovery/multi-servers-discovery.ts';
import type { SelectMode } from '../../xclient/select-mode.ts';
import { type XCallOptions, XClient } from '../../xclient/xclient.ts';
import { GateMeasurementError } from '../errors.ts';
import type { SliceWorkload } from './slice.ts';

/** The calls kept in flight when the scenario's load model has no concurrency (open model). */
export const OPEN_MODEL_PROBE_CONCURRENCY = 64;
const SERVICE_METHOD = 'Bench.Echo';
/** Distinct consistent-hash keys, used in turn. A power of two. */
const KEY_COUNT = 1024;

/** What the probe of one scenario phase runs: the scenario's RPC set-up, with servers that only echo. */
export interface ProbeSpec {
  /** The phase label, as in the scenario's results. */
  label: string;
  mode: ScenarioSelectMode;
  servers: number;
  weights: number[];
  transport: ResolvedScenario['transport'];
  codec: CodecName;
  payloadBytes: number;
  concurrency: number;
  seed: number;
}

/**
 * The probes of a scenario: one per phase that reuses its connections. Phases that dial for every
 * call are left to the scenario run (their correctness is still checked): thousands of dials a
 * second for a minute would exhaust the machine's ephemeral ports.
 */
export function probeSpecsFor(scenario: ResolvedScenario): ProbeSpec[] {
  const weights = resolveServerBehaviours(scenario).map((behaviour) => behaviour.weight);
  return planPhases(scenario)
    .filter((plan) => plan.reuseClients)
    .map((plan) => ({
      label: plan.label,
      mode: plan.mode,
      servers: scenario.servers.count,
      weights,
      transport: scenario.transport,
      codec: scenario.codec === 'json' ? 'application/json' : 'application/msgpack',
      payloadBytes: scenario.payloadBytes,
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
  readonly #discovery: MultiServersDiscovery;
  readonly #client: XClient;
  readonly #broadcast: boolean;
  readonly #args: unknown;
  readonly #keys: XCallOptions[] | undefined;
  #keyIndex = 0;

  private constructor(
    servers: Server[],
    discovery: MultiServersDiscovery,
    client: XClient,
    spec: ProbeSpec,
    keys?: XCallOptions[],
  ) {
    this.#servers = servers;
    this.#discovery = discovery;
    this.#client = client;
    this.#broadcast = spec.mode === 'broadcast';
    this.#args = { payload: 'x'.repeat(spec.payloadBytes) };
    this.#keys = keys;
  }

  static async start(spec: ProbeSpec): Promise<RpcProbe> {
    const servers: Server[] = [];
    try {
      const runId = randomBytes(4).toString('hex');
      const addresses: string[] = [];
      for (let index = 0; index < spec.servers; index++) {
        const server = new Server({ log: () => {} }).register(new Bench());
        servers.push(server);
        addresses.push(await server.listen(listenAddress(spec.transport, runId, index)));
      }
      const random = createSeededRandom(spec.seed);
      const weights: Record<string, number> = {};
      addresses.forEach((address, index) => {
        weights[address] = spec.weights[index] ?? 1;
      });
      const discovery = new MultiServersDiscovery(addresses, { random, weights });
      // Broadcast calls every server: the mode only has to be valid.
      const mode: SelectMode = spec.mode === 'broadcast' ? 'roundrobin' : spec.mode;
      const client = new XClient(discovery, mode, { codec: spec.codec });
      const keys =
        spec.mode === 'consistent-hash'
          ? Array.from({ length: KEY_COUNT }, () => ({
              key: `key-${Math.floor(random() * 1e9).toString(36)}`,
            }))
          : undefined;
      return new RpcProbe(servers, discovery, client, spec, keys);
    } catch (error) {
      await Promise.allSettled(servers.map((server) => server.destroy()));
      throw new GateMeasurementError(`probe ${spec.label}: cannot start: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }

  call(): Promise<unknown> {
    if (this.#broadcast) return this.#broadcastOnce();
    const keys = this.#keys;
    return this.#client.call(SERVICE_METHOD, this.#args, keys?.[this.#keyIndex++ & (KEY_COUNT - 1)]);
  }

  async close(): Promise<void> {
    await this.#client.close();
    await this.#discovery.close();
    await Promise.allSettled(this.#servers.map((server) => server.destroy()));
  }

  async #broadcastOnce(): Promise<unknown> {
    const outcomes = await this.#client.broadcastAll(SERVICE_METHOD, this.#args);
    for (const outcome of outcomes) if (outcome.error !== undefined) throw outcome.error;
    return outcomes;
  }
}

function listenAddress(transport: ResolvedScenario['transport'], runId: string, index: number): string {
  if (transport === 'unix')
    return `unix@${join(tmpdir(), `rpcbench-gate-${process.pid}-${runId}-${index}.sock`)}`;
  return `${transport}@127.0.0.1:0`;
}
