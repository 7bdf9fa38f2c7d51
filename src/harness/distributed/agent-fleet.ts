import { randomBytes } from 'node:crypto';
import type { Etcd3, IKeyValue, Lease, Watcher } from 'etcd3';
import type { z } from 'zod';
import {
  createEtcdClient,
  DEFAULT_ETCD_REQUEST_TIMEOUT_MS,
  withEtcdTimeout,
} from '../../registry/etcd-client.ts';
import type { PhaseAgentFigures } from '../../result/result-schema.ts';
import type { PhasePlan } from '../../scenario/phase-plan.ts';
import { assignShares, type PlannedShare } from '../load/load-plan.ts';
import type { PhaseLoad, RunningLoad } from '../load/phase-load.ts';
import type { LoadShareResult } from '../metrics/phase-recorder.ts';
import type { ThreadProgress } from '../threads/phase-control.ts';
import {
  agentInfoSchema,
  loadSharesSchema,
  parseAgentValue,
  phaseDoneSchema,
  progressSchema,
  warmedSchema,
} from './agent-values.ts';
import { AgentError } from './errors.ts';
import { type AgentInfo, DEFAULT_AGENTS_PREFIX, FleetKeys, getChunked } from './fleet-keys.ts';
import type { PhaseDone, PhaseGo, PhaseWork } from './phase-messages.ts';

/** Between go and the first measured call: etcd's watch must reach every host first. */
export const REMOTE_START_LEAD_MS = 500;
const CLAIM_LEASE_TTL_S = 10;
const GATHER_POLL_MS = 200;

export interface GatherOptions {
  etcd: string[];
  /** How many load hosts, or which by name. */
  want: number | readonly string[];
  /** Bound on waiting for them to register, ms. */
  waitMs: number;
  prefix?: string;
  /** This checkout's commit: a host running another is refused. */
  commit: string | null;
  /** Threads of a host that registered without its own count. */
  defaultThreads: number;
}

export interface FleetHost extends AgentInfo {
  threads: number;
}

/**
 * The load hosts of one run, as the coordinator holds them: claimed for this run in etcd (a key
 * each under the coordinator's lease, created in a transaction so that two runs cannot share a
 * host), watched for leaving (lease expired or revoked), and driven phase by phase.
 */
export class AgentFleet {
  readonly hosts: readonly FleetHost[];
  readonly runId = randomBytes(4).toString('hex');
  readonly #client: Etcd3;
  readonly #lease: Lease;
  readonly #keys: FleetKeys;
  readonly #hostWatcher: Watcher;
  readonly #lost: string[] = [];
  readonly #lostListeners = new Set<(name: string) => void>();
  /** Each phase still followed: closing the fleet ends it (a host that fell silent never would). */
  readonly #followed = new Set<{ watcher: Watcher; end: () => void }>();
  #malformed: AgentError | undefined;
  #phase = 0;
  #closed = false;

  private constructor(hosts: FleetHost[], client: Etcd3, lease: Lease, keys: FleetKeys, watcher: Watcher) {
    this.hosts = hosts;
    this.#client = client;
    this.#lease = lease;
    this.#keys = keys;
    this.#hostWatcher = watcher;
    watcher.on('delete', (kv) => {
      const name = kv.key.toString().slice(keys.hosts().length);
      if (!hosts.some((host) => host.name === name) || this.#lost.includes(name)) return;
      this.#lost.push(name);
      for (const listener of this.#lostListeners) listener(name);
    });
  }

  /** Hosts lost during the run, in the order they left. */
  get lost(): readonly string[] {
    return this.#lost;
  }

  /** The first malformed value a host wrote: that host is dropped as if lost, and the run fails. */
  get malformed(): AgentError | undefined {
    return this.#malformed;
  }

  #dropMalformed(name: string, error: AgentError): void {
    this.#malformed ??= error;
    if (this.#lost.includes(name)) return;
    this.#lost.push(name);
    for (const listener of this.#lostListeners) listener(name);
  }

  /** Calls `listener` with each host lost from now on; returns the function that stops it. */
  onLost(listener: (name: string) => void): () => void {
    this.#lostListeners.add(listener);
    return () => this.#lostListeners.delete(listener);
  }

  /**
   * Waits (up to `waitMs`) until the hosts wanted have registered, refuses any from another
   * commit, and claims them.
   */
  static async gather(options: GatherOptions): Promise<AgentFleet> {
    const keys = new FleetKeys(options.prefix ?? DEFAULT_AGENTS_PREFIX);
    const client = createEtcdClient(options.etcd, DEFAULT_ETCD_REQUEST_TIMEOUT_MS);
    const lease = client.lease(CLAIM_LEASE_TTL_S);
    try {
      const hosts = await claimHosts(client, lease, keys, options);
      const watcher = await withEtcdTimeout(
        'watch the load hosts',
        DEFAULT_ETCD_REQUEST_TIMEOUT_MS,
        client.watch().prefix(keys.hosts()).create(),
      );
      return new AgentFleet(hosts, client, lease, keys, watcher);
    } catch (error) {
      await lease.revoke().catch(() => undefined);
      client.close();
      throw error;
    }
  }

  /** The run's load threads on these hosts. */
  phaseLoad(): PhaseLoad {
    return {
      threads: this.hosts.reduce((sum, host) => sum + host.threads, 0),
      startLeadMs: REMOTE_START_LEAD_MS,
      start: (planned, plan) => this.#startPhase(planned, plan),
      close: () => this.close(),
    };
  }

  #startPhase(planned: readonly PlannedShare[], plan: PhasePlan): RunningLoad {
    const prefix = this.#keys.phase(this.runId, this.#phase++);
    const client = this.#client;
    const names = this.hosts.map((host) => host.name);
    const phase: HostsPhase = {
      prefix,
      plan,
      names,
      warmed: new Set(),
      offsets: new Map(),
      done: new Map(),
      progress: new Map(),
    };
    let stopRequested = false;
    let startAtEpochMs = 0;
    const stop = () => {
      if (stopRequested) return;
      stopRequested = true;
      void client
        .put(`${prefix}stop`)
        .value('')
        .catch(() => undefined);
    };
    const work: PhaseWork = { plan, shares: Object.fromEntries(assignShares(this.hosts, planned)) };
    return {
      shares: this.#followPhase(phase, work),
      allWarmed: () => names.every((name) => phase.warmed.has(name)),
      go: async (at) => {
        startAtEpochMs = at;
        await client.put(`${prefix}go`).value(JSON.stringify({ startAtEpochMs: at } satisfies PhaseGo));
      },
      stop,
      get stopRequested() {
        return stopRequested;
      },
      read: () => sumProgress([...phase.progress.values()]),
      readHosts: () =>
        names.map((name) => ({ name, ...(phase.progress.get(name) ?? { calls: 0, errors: 0, p99Us: 0 }) })),
      agentFigures: async () => agentFigures(this.hosts, phase, startAtEpochMs),
    };
  }

  /**
   * Posts the phase's work, follows what the hosts write until each is done or lost, and reads the
   * shares they recorded.
   */
  async #followPhase(phase: HostsPhase, work: PhaseWork): Promise<LoadShareResult[]> {
    const client = this.#client;
    let settle: () => void = () => {};
    let fail: (error: AgentError) => void = () => {};
    const allIn = new Promise<void>((resolve, reject) => {
      settle = () => {
        if (phase.names.every((name) => phase.done.has(name) || this.#lost.includes(name))) resolve();
      };
      fail = reject;
    });
    const unsubscribe = this.onLost(() => settle());
    const watcher = await client.watch().prefix(phase.prefix).create();
    watcher.on('put', (kv) => this.#hear(phase, kv, settle, fail));
    const followed = {
      watcher,
      end: () =>
        fail(new AgentError([], `the run ended before the hosts finished phase ${phase.plan.label}`)),
    };
    this.#followed.add(followed);
    try {
      await client.put(`${phase.prefix}plan`).value(JSON.stringify(work));
      await allIn;
    } finally {
      this.#followed.delete(followed);
      unsubscribe();
      await watcher.cancel();
    }
    const recorded: LoadShareResult[] = [];
    for (const [name, record] of phase.done) {
      const shares = await this.#readShares(client, `${phase.prefix}shares/${name}`, name, record.chunks);
      if (shares !== undefined) recorded.push(...shares);
    }
    return recorded;
  }

  /** A host's shares of a phase, checked; a malformed or incomplete one drops the host as lost. */
  async #readShares(
    client: Etcd3,
    key: string,
    name: string,
    chunks: number,
  ): Promise<LoadShareResult[] | undefined> {
    try {
      const text = await getChunked(client, key, chunks);
      if (text === undefined) {
        throw new AgentError(
          [name],
          `load host ${name} wrote fewer pieces at ${key} than the ${chunks} it named`,
        );
      }
      return parseAgentValue(loadSharesSchema, name, key, text);
    } catch (error) {
      if (!(error instanceof AgentError)) throw error;
      this.#dropMalformed(name, error);
      return undefined;
    }
  }

  /** One value a host wrote in the phase: warmed, progress, failed or done. */
  #hear(phase: HostsPhase, kv: IKeyValue, settle: () => void, fail: (error: AgentError) => void): void {
    const key = kv.key.toString();
    const rest = key.slice(phase.prefix.length);
    const [kind, name] = rest.split('/') as [string, string | undefined];
    if (name === undefined || !phase.names.includes(name)) return;
    // What a host writes is checked before it is used: a malformed value ends the run, naming it.
    const read = <T>(schema: z.ZodType<T>): T | undefined => {
      try {
        return parseAgentValue(schema, name, key, kv.value.toString());
      } catch (error) {
        this.#dropMalformed(name, error as AgentError);
        return undefined;
      }
    };
    if (kind === 'warmed') {
      const value = read(warmedSchema);
      if (value === undefined) return;
      phase.warmed.add(name);
      phase.offsets.set(name, Date.now() - value.atEpochMs);
    } else if (kind === 'progress') {
      const value = read(progressSchema);
      if (value !== undefined) phase.progress.set(name, value);
    } else if (kind === 'failed' && !this.#lost.includes(name)) {
      fail(
        new AgentError(
          [name],
          `load host ${name} failed in phase ${phase.plan.label}: ${kv.value.toString()}`,
        ),
      );
    } else if (kind === 'done') {
      const value = read(phaseDoneSchema);
      if (value === undefined) return;
      phase.done.set(name, value);
      settle();
    }
  }

  /** Releases the hosts and removes the run's keys. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    // A watcher left open keeps re-dialling the closed client, and the process alive, for ever.
    for (const { watcher, end } of this.#followed) {
      end();
      await watcher.cancel().catch(() => undefined);
    }
    await this.#hostWatcher.cancel().catch(() => undefined);
    await this.#client
      .delete()
      .prefix(this.#keys.run(this.runId))
      .catch(() => undefined);
    await this.#lease.revoke().catch(() => undefined);
    this.#client.close();
  }
}

/** One phase on the hosts, and what they have written in it so far. */
interface HostsPhase {
  prefix: string;
  plan: PhasePlan;
  names: readonly string[];
  warmed: Set<string>;
  /** The coordinator's clock minus each host's, as its warmed key arrived, ms. */
  offsets: Map<string, number>;
  done: Map<string, PhaseDone>;
  progress: Map<string, ThreadProgress>;
}

/** The figures of each host that finished the phase, with when it heard go and how far its clock is off. */
function agentFigures(
  hosts: readonly FleetHost[],
  phase: HostsPhase,
  startAtEpochMs: number,
): PhaseAgentFigures[] {
  return hosts.flatMap((host): PhaseAgentFigures[] => {
    const record = phase.done.get(host.name);
    if (record === undefined) return [];
    return [
      {
        name: host.name,
        host: host.host,
        cores: host.cores,
        threads: host.threads,
        ...record.figures,
        startAtEpochMs,
        goHeardAtEpochMs: record.goHeardAtEpochMs ?? startAtEpochMs,
        clockOffsetMs: phase.offsets.get(host.name) ?? 0,
      },
    ];
  });
}

function sumProgress(figures: readonly ThreadProgress[]): ThreadProgress {
  let calls = 0;
  let errors = 0;
  let p99Us = 0;
  for (const figure of figures) {
    calls += figure.calls;
    errors += figure.errors;
    p99Us = Math.max(p99Us, figure.p99Us);
  }
  return { calls, errors, p99Us };
}

async function claimHosts(
  client: Etcd3,
  lease: Lease,
  keys: FleetKeys,
  options: GatherOptions,
): Promise<FleetHost[]> {
  const wanted = typeof options.want === 'number' ? options.want : options.want.length;
  const deadline = Date.now() + options.waitMs;
  const claimed: FleetHost[] = [];
  for (;;) {
    const registered = Object.entries(
      await withEtcdTimeout(
        'list the load hosts',
        DEFAULT_ETCD_REQUEST_TIMEOUT_MS,
        client.getAll().prefix(keys.hosts()).strings(),
      ),
    )
      .map(([key, value]) => parseAgentValue(agentInfoSchema, key.slice(keys.hosts().length), key, value))
      .filter((info) => typeof options.want === 'number' || options.want.includes(info.name))
      .sort((a, b) => a.name.localeCompare(b.name));
    for (const info of registered) {
      if (claimed.length >= wanted) break;
      if (claimed.some((host) => host.name === info.name)) continue;
      if (info.commit !== options.commit) {
        throw new AgentError(
          [info.name],
          `load host ${info.name} runs rpcbench ${info.commit ?? '(unknown commit)'}, this run ${options.commit ?? '(unknown commit)'}: check out the same commit on every host`,
        );
      }
      const taken = await client
        .if(keys.claim(info.name), 'Create', '==', 0)
        .then(lease.put(keys.claim(info.name)).value(''))
        .commit();
      if (taken.succeeded) claimed.push({ ...info, threads: info.threads ?? options.defaultThreads });
    }
    if (claimed.length >= wanted) return claimed;
    if (Date.now() > deadline) {
      const missing =
        typeof options.want === 'number'
          ? []
          : options.want.filter((name) => !claimed.some((host) => host.name === name));
      throw new AgentError(
        missing,
        `${claimed.length} of ${wanted} load hosts registered in ${options.etcd.join(',')} within ${options.waitMs} ms` +
          (missing.length > 0 ? ` (missing: ${missing.join(', ')})` : '') +
          ': start them with `npm run agent -- --etcd <endpoints>`',
      );
    }
    await new Promise((resolve) => setTimeout(resolve, GATHER_POLL_MS));
  }
}
