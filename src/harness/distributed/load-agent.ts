import { availableParallelism, hostname } from 'node:os';
import type { Etcd3, Lease } from 'etcd3';
import type { Piscina } from 'piscina';
import type { z } from 'zod';
import {
  createEtcdClient,
  DEFAULT_ETCD_REQUEST_TIMEOUT_MS,
  withEtcdTimeout,
} from '../../registry/etcd-client.ts';
import { gitCommit } from '../../result/environment.ts';
import { escapeTerminal } from '../../util/escape-terminal.ts';
import { createLoadPool, type RunningLoad, runOnPool } from '../load/phase-load.ts';
import { pollUntil } from '../threads/barrier.ts';
import { parseAgentValue, phaseGoSchema, phaseWorkSchema } from './agent-values.ts';
import { AgentError } from './errors.ts';
import { type AgentInfo, DEFAULT_AGENTS_PREFIX, FleetKeys, putChunked } from './fleet-keys.ts';
import { ownFigures, type PhaseDone, type PhaseGo, type PhaseWork } from './phase-messages.ts';

/** A host that stops answering for this long loses its registration, and its run ends. */
export const AGENT_LEASE_TTL_S = 3;
const PROGRESS_INTERVAL_MS = 500;
/** Bound on the threads warming up, beyond the phase's warm-up (as the local runner's). */
const WARM_WAIT_MS = 60_000;

export interface LoadAgentOptions {
  etcd: string[];
  name?: string;
  /** Load threads; by default each phase's plan says (the scenario's loadThreads). */
  threads?: number;
  prefix?: string;
  /** Lines about what it does (registered, phase started, ...). */
  log?: (line: string) => void;
}

interface ActivePhase {
  key: string;
  load?: RunningLoad;
  goHeardAtEpochMs: number | null;
}

/**
 * A load host: registers in etcd under a lease, runs its shares of each phase it is given on its
 * own pool of load threads, meets the other hosts at etcd's barrier (warmed keys, one go key) and
 * writes its recorded shares back. Runs until `close()`, which revokes the lease.
 */
export class LoadAgent {
  readonly info: AgentInfo;
  readonly #client: Etcd3;
  readonly #lease: Lease;
  readonly #keys: FleetKeys;
  readonly #log: (line: string) => void;
  #pools = new Map<number, Piscina>();
  #queue: Promise<void> = Promise.resolve();
  #active: ActivePhase | undefined;
  readonly #stopped = new Set<string>();
  #closed = false;
  /** Rejects when the lease is lost (etcd unreachable for longer than its TTL). */
  readonly lost: Promise<never>;

  private constructor(
    info: AgentInfo,
    client: Etcd3,
    lease: Lease,
    keys: FleetKeys,
    log: (line: string) => void,
  ) {
    this.info = info;
    this.#client = client;
    this.#lease = lease;
    this.#keys = keys;
    this.#log = log;
    this.lost = new Promise<never>((_, reject) => {
      lease.on('lost', (error) =>
        reject(new AgentError([info.name], `load host ${info.name} lost its etcd lease: ${error.message}`)),
      );
    });
    this.lost.catch(() => undefined);
  }

  static async start(options: LoadAgentOptions): Promise<LoadAgent> {
    const keys = new FleetKeys(options.prefix ?? DEFAULT_AGENTS_PREFIX);
    const info: AgentInfo = {
      name: options.name ?? `${hostname()}-${process.pid}`,
      host: hostname(),
      cores: availableParallelism(),
      node: process.version,
      commit: await gitCommit(),
      threads: options.threads ?? null,
    };
    const client = createEtcdClient(options.etcd, DEFAULT_ETCD_REQUEST_TIMEOUT_MS);
    const lease = client.lease(AGENT_LEASE_TTL_S);
    try {
      const created = await withEtcdTimeout(
        `register load host ${info.name}`,
        DEFAULT_ETCD_REQUEST_TIMEOUT_MS,
        client
          .if(keys.host(info.name), 'Create', '==', 0)
          .then(lease.put(keys.host(info.name)).value(JSON.stringify(info)))
          .commit(),
      );
      if (!created.succeeded) {
        throw new AgentError(
          [info.name],
          `a load host named ${info.name} is already registered: give another --name`,
        );
      }
    } catch (error) {
      await lease.revoke().catch(() => undefined);
      client.close();
      throw error;
    }
    const agent = new LoadAgent(info, client, lease, keys, options.log ?? (() => {}));
    await agent.#watch();
    agent.#log(`registered as ${info.name} (${info.cores} cores, node ${info.node})`);
    return agent;
  }

  async #watch(): Promise<void> {
    const watcher = await this.#client.watch().prefix(this.#keys.runs()).create();
    watcher.on('put', (kv) => this.#onPut(kv.key.toString(), kv.value.toString()));
    this.#unwatch = () => watcher.cancel();
  }

  #unwatch: () => Promise<void> = async () => {};

  #onPut(key: string, value: string): void {
    const parsed = this.#keys.parse(key);
    if (parsed === undefined || this.#closed) return;
    const phaseKey = `${parsed.runId}/${parsed.phase}`;
    if (parsed.rest === 'plan') {
      const work = this.#parseCoordinatorValue(phaseWorkSchema, key, value) as PhaseWork | undefined;
      if (work === undefined) return;
      const shares = work.shares[this.info.name];
      if (shares === undefined) return;
      this.#queue = this.#queue.then(() =>
        this.#runPhase(parsed.runId, parsed.phase, work, shares).catch(async (error: unknown) => {
          // A host closing stops its own threads: it leaves through its lease, not as a failure.
          if (this.#closed) return;
          const message = (error as Error).message;
          this.#log(`phase ${phaseKey} failed: ${message}`);
          // The coordinator waits for every host's shares: it must hear of the failure instead.
          const failed = `${this.#keys.phase(parsed.runId, parsed.phase)}failed/${this.info.name}`;
          await this.#client
            .put(failed)
            .value(message)
            .catch(() => undefined);
        }),
      );
    } else if (parsed.rest === 'go' && this.#active?.key === phaseKey) {
      this.#active.goHeardAtEpochMs = Date.now();
      const go: PhaseGo | undefined = this.#parseCoordinatorValue(phaseGoSchema, key, value);
      if (go === undefined) this.#active.load?.stop();
      else void this.#active.load?.go(go.startAtEpochMs);
    } else if (parsed.rest === 'stop') {
      this.#stopped.add(phaseKey);
      if (this.#active?.key === phaseKey) this.#active.load?.stop();
    }
  }

  /** A value the coordinator wrote, checked: a malformed one is logged, naming the key, and ignored. */
  #parseCoordinatorValue<T>(schema: z.ZodType<T>, key: string, value: string): T | undefined {
    try {
      return parseAgentValue(schema, 'coordinator', key, value);
    } catch (error) {
      this.#log(escapeTerminal((error as Error).message.replace('load host coordinator', 'the coordinator')));
      return undefined;
    }
  }

  async #runPhase(
    runId: string,
    phase: number,
    work: PhaseWork,
    shares: PhaseWork['shares'][string],
  ): Promise<void> {
    const keys = this.#keys;
    const phaseKey = `${runId}/${phase}`;
    const prefix = keys.phase(runId, phase);
    this.#log(`phase ${work.plan.label} of run ${runId}: ${shares.length} load threads`);
    const load = runOnPool(this.#pool(shares.length), shares);
    const active: ActivePhase = { key: phaseKey, load, goHeardAtEpochMs: null };
    this.#active = active;
    if (this.#stopped.has(phaseKey)) load.stop();
    const progress = setInterval(() => {
      void this.#lease
        .put(`${prefix}progress/${this.info.name}`)
        .value(JSON.stringify(load.read()))
        .catch(() => {});
    }, PROGRESS_INTERVAL_MS);
    try {
      await Promise.race([
        pollUntil(() => load.allWarmed() || load.stopRequested, WARM_WAIT_MS, 'the load threads to warm up'),
        load.shares,
      ]);
      if (!load.stopRequested) {
        // Its clock travels with it: the coordinator estimates the offset from the arrival.
        await this.#lease
          .put(`${prefix}warmed/${this.info.name}`)
          .value(JSON.stringify({ atEpochMs: Date.now() }));
      }
      const recorded = await load.shares;
      // A closing host leaves through its lease: shares it cut short must not arrive as done.
      if (this.#closed) return;
      const chunks = await putChunked(this.#client, `${prefix}shares/${this.info.name}`, recorded);
      const done: PhaseDone = {
        chunks,
        goHeardAtEpochMs: active.goHeardAtEpochMs,
        figures: ownFigures(work.plan, recorded),
      };
      await this.#client.put(`${prefix}done/${this.info.name}`).value(JSON.stringify(done));
      this.#log(`phase ${work.plan.label}: ${done.figures.calls} calls`);
    } finally {
      clearInterval(progress);
      if (this.#active === active) this.#active = undefined;
    }
  }

  /** One pool per thread count: a host keeps its threads from phase to phase. */
  #pool(threads: number): Piscina {
    let pool = this.#pools.get(threads);
    if (pool === undefined) {
      pool = createLoadPool(threads);
      this.#pools.set(threads, pool);
    }
    return pool;
  }

  /** Stops the load of the current phase, revokes the lease (the coordinator sees the host leave) and closes. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#active?.load?.stop();
    await this.#unwatch().catch(() => undefined);
    await this.#lease.revoke().catch(() => undefined);
    await Promise.all([...this.#pools.values()].map((pool) => pool.destroy()));
    this.#client.close();
  }
}
