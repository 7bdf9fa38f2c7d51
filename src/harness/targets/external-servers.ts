import { dial } from '../../rpc/dial.ts';
import type { PhaseRpcSetup } from '../../scenario/phase-rpc-setup.ts';
import { MAX_TARGET_ADDRESSES, type TargetConfig } from '../../scenario/target-schema.ts';
import { isRpcError } from '../../util/errors.ts';
import type { MultiServersDiscovery } from '../../xclient/discovery/multi-servers-discovery.ts';
import { openPhaseDiscovery, TARGET_REGISTRY_UPDATE_MS } from '../clients/phase-clients.ts';
import { TargetError } from '../errors.ts';
import type { CallInputs } from '../load/call-inputs.ts';
import { readMethodCount } from './method-count.ts';
import type { MembershipChange, PhaseServerCounts, PhaseServers } from './phase-servers.ts';

/** The probe call of each server gives up after this long. */
export const PROBE_TIMEOUT_MS = 5_000;
/** Servers probed at once: a long list is probed within a few probe timeouts, never one dial per server at once. */
const PROBE_PARALLELISM = 32;
const QUOTED_PROBE_FAILURES = 5;

/**
 * The user's own servers: a fixed list, or followed through a registry or etcd for the whole run
 * (servers that join or leave are recorded as membership changes). Where a server's GeeRPC debug
 * page can be read, its own count of the called method is read at each phase's start and end.
 */
export class ExternalServers implements PhaseServers {
  readonly #target: TargetConfig;
  readonly #method: string;
  readonly #discovery: MultiServersDiscovery;
  readonly #unsubscribe: () => void;
  readonly #refreshTimer: NodeJS.Timeout | undefined;
  #known: string[];
  /** Every server seen since the phase began. */
  #seen = new Set<string>();
  #changes: MembershipChange[] = [];
  #phaseStartEpochMs = Date.now();
  #startCounts = new Map<string, number | undefined>();

  private constructor(
    target: TargetConfig,
    method: string,
    discovery: MultiServersDiscovery,
    known: string[],
  ) {
    this.#target = target;
    this.#method = method;
    this.#discovery = discovery;
    this.#known = known;
    this.#unsubscribe = discovery.subscribe((servers) => this.#follow(servers));
    if (target.registry !== undefined) {
      this.#refreshTimer = setInterval(() => {
        discovery.refresh().catch(() => undefined);
      }, TARGET_REGISTRY_UPDATE_MS);
      this.#refreshTimer.unref();
    }
  }

  /** Finds the servers; TargetError when the registry or etcd cannot be read or lists none. */
  static async open(target: TargetConfig, setup: PhaseRpcSetup): Promise<ExternalServers> {
    const source = describeSource(target);
    let discovery: MultiServersDiscovery;
    try {
      discovery = await openPhaseDiscovery(setup, target.addresses ?? [], Math.random);
    } catch (error) {
      throw new TargetError(source, `cannot be read: ${(error as Error).message}`, { cause: error });
    }
    try {
      await discovery.refresh();
      const known = await discovery.getAll();
      if (known.length === 0) throw new TargetError(source, 'lists no servers');
      if (known.length > MAX_TARGET_ADDRESSES) {
        throw new TargetError(
          source,
          `lists ${known.length} servers, more than the ${MAX_TARGET_ADDRESSES} a run loads (each is dialed by every client)`,
        );
      }
      return new ExternalServers(target, setup.call.method, discovery, known);
    } catch (error) {
      await discovery.close();
      if (error instanceof TargetError) throw error;
      throw new TargetError(source, `cannot be read: ${(error as Error).message}`, { cause: error });
    }
  }

  addresses(): string[] {
    return [...this.#known];
  }

  /**
   * One call to every known server before the run, at most PROBE_PARALLELISM at once. When no
   * server answers it (unreachable, a refused codec, an unknown method, an error the server
   * answers, a reply that does not decode), the run would measure nothing: TargetError naming
   * each server and why. Servers that fail beside one that answers stay in the run, where their
   * errors are counted per server; the reasons are returned.
   */
  async probe(setup: PhaseRpcSetup, inputs: CallInputs): Promise<TargetError[]> {
    const args = inputs.argsAt === undefined ? inputs.args : inputs.argsAt(0);
    const queue = this.#known.map((address, index) => ({ address, index }));
    // By the servers' order, not by when each probe ended: the message quotes the first few.
    const byIndex: (TargetError | undefined)[] = [];
    const prober = async () => {
      for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
        byIndex[next.index] = await probeOne(next.address, setup, inputs.method, args);
      }
    };
    await Promise.all(Array.from({ length: Math.min(PROBE_PARALLELISM, queue.length) }, prober));
    const failures = byIndex.filter((failure) => failure !== undefined);
    if (failures.length === this.#known.length) {
      if (failures.length === 1) throw failures[0]!;
      throw new TargetError(
        describeSource(this.#target),
        `no server answered the probe call: ${failures
          .slice(0, QUOTED_PROBE_FAILURES)
          .map((failure) => failure.message)
          .join(
            '; ',
          )}${failures.length > QUOTED_PROBE_FAILURES ? `; and ${failures.length - QUOTED_PROBE_FAILURES} more` : ''}`,
      );
    }
    return failures;
  }

  async begin(startAtEpochMs: number): Promise<void> {
    this.#phaseStartEpochMs = startAtEpochMs;
    this.#seen = new Set(this.#known);
    this.#changes = [];
    this.#startCounts = await this.#readCounts([...this.#seen]);
  }

  async counts(): Promise<PhaseServerCounts> {
    const addresses = [...new Set([...this.#seen, ...this.#known])];
    const endCounts = await this.#readCounts(addresses);
    const counts = addresses.map((address) => {
      const end = endCounts.get(address);
      if (end === undefined) return null;
      // A server that joined mid-phase had counted nothing of this phase before it joined.
      const start = this.#startCounts.has(address) ? this.#startCounts.get(address) : 0;
      return start === undefined || end < start ? null : end - start;
    });
    return { addresses, counts, membership: [...this.#changes] };
  }

  async end(): Promise<void> {}

  async close(): Promise<void> {
    clearInterval(this.#refreshTimer);
    this.#unsubscribe();
    await this.#discovery.close();
  }

  #follow(servers: readonly string[]): void {
    const atMs = Date.now() - this.#phaseStartEpochMs;
    const next = new Set(servers);
    for (const address of next) {
      if (!this.#known.includes(address)) this.#changes.push({ atMs, address, change: 'joined' });
      this.#seen.add(address);
    }
    for (const address of this.#known) {
      if (!next.has(address)) this.#changes.push({ atMs, address, change: 'left' });
    }
    this.#known = [...servers];
  }

  /** The called method's count on each server whose debug page can be read. */
  async #readCounts(addresses: readonly string[]): Promise<Map<string, number | undefined>> {
    const entries = await Promise.all(
      addresses.map(
        async (address) =>
          [address, await readMethodCount(address, this.#method, this.#target.debugUrls[address])] as const,
      ),
    );
    return new Map(entries);
  }
}

async function probeOne(
  address: string,
  setup: PhaseRpcSetup,
  method: string,
  args: unknown,
): Promise<TargetError | undefined> {
  let client: Awaited<ReturnType<typeof dial>> | undefined;
  try {
    client = await dial(address, {
      codec: setup.codec,
      httpPath: setup.httpPath,
      connectTimeoutMs: PROBE_TIMEOUT_MS,
      callTimeoutMs: PROBE_TIMEOUT_MS,
      ...setup.clientLimits,
    });
    await client.call(method, args);
    return undefined;
  } catch (error) {
    return new TargetError(address, probeFailure(error, method, setup), { cause: error });
  } finally {
    await client?.close().catch(() => undefined);
  }
}

/** Why the probe call failed: every failure makes the run pointless. */
function probeFailure(error: unknown, method: string, setup: PhaseRpcSetup): string {
  if (!isRpcError(error)) return `the probe call failed: ${(error as Error).message}`;
  switch (error.code) {
    case 'ERR_REMOTE':
      return /can't find (service|method)/.test(error.message)
        ? `has no method ${method} (${error.message})`
        : `the probe call failed: ${error.message}`;
    case 'ERR_BAD_HANDSHAKE':
      return error.message.replace(/^rpc client: the server /, '');
    case 'ERR_CODEC_REFUSED':
      return `refuses codec ${setup.codec}: ${error.message}`;
    case 'ERR_CONN_CLOSED':
      return `closed the connection on the first call (does it speak ${setup.codec}? Go GeeRPC speaks only gob): ${error.message}`;
    case 'ERR_CALL_TIMEOUT':
      return `did not answer the probe call of ${method} within ${PROBE_TIMEOUT_MS / 1000} s`;
    case 'ERR_DIAL_FAILED':
    case 'ERR_CONNECT_TIMEOUT':
      return `unreachable: ${error.message}`;
    default:
      return `the probe call failed: ${error.message}`;
  }
}

function describeSource(target: TargetConfig): string {
  if (target.registry !== undefined) return `registry ${target.registry}`;
  if (target.etcd !== undefined) return `etcd ${target.etcd.endpoints.join(',')}`;
  return (target.addresses ?? []).join(',');
}
