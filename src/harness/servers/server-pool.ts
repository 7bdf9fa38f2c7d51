import type { Piscina } from 'piscina';
import type { Client } from '../../rpc/client.ts';
import { dial } from '../../rpc/dial.ts';
import { HarnessWorkerError } from '../errors.ts';
import { createWorkerPool } from '../threads/worker-pool.ts';
import { CONTROL_SERVICE, type ServerCount, type StartedServer } from './server-thread.ts';
import type { StartServersResult, StartServersTask } from './server-worker.ts';
import type { SimulatedServerSpec } from './simulated-server.ts';
import type { UserServiceSpec } from './user-service.ts';

const SERVER_WORKER_URL = new URL('./server-worker.ts', import.meta.url);
/** Starting threads under tsx takes a second or two on a loaded machine; this only bounds a hang. */
const START_TIMEOUT_MS = 60_000;
const CONTROL_CALL_TIMEOUT_MS = 15_000;

export interface ServerPoolOptions {
  servers: SimulatedServerSpec[];
  /** Worker threads to spread the servers over (server i goes to thread i mod threads). */
  threads: number;
  /** Also serve each server over plain HTTP for the autocannon baseline. */
  http: boolean;
  /** The user's service every server registers beside `Load` (an absolute module path). */
  service?: UserServiceSpec | undefined;
}

/**
 * Simulated servers in a Piscina pool of worker threads. Each thread starts its share and keeps
 * them in module state; after that the pool is driven over RPC, through the `Harness` control
 * service of each thread. close() stops every server and then the threads: no thread, socket or
 * port is left behind.
 */
export class ServerPool {
  readonly #pool: Piscina;
  readonly #controls: Client[];
  readonly servers: readonly StartedServer[];
  #closed: Promise<void> | undefined;

  private constructor(pool: Piscina, controls: Client[], servers: StartedServer[]) {
    this.#pool = pool;
    this.#controls = controls;
    this.servers = servers;
  }

  static async start(options: ServerPoolOptions): Promise<ServerPool> {
    const threads = Math.min(options.threads, options.servers.length);
    const pool = createWorkerPool(SERVER_WORKER_URL, threads);
    const barrier = new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT));
    const controls: Client[] = [];
    try {
      const started = await Promise.all(
        Array.from({ length: threads }, (_, thread) => {
          const task: StartServersTask = {
            servers: options.servers.filter((_, index) => index % threads === thread),
            http: options.http,
            ...(options.service === undefined ? {} : { service: options.service }),
            barrier,
            threadCount: threads,
            barrierTimeoutMs: START_TIMEOUT_MS,
          };
          return pool.run(task) as Promise<StartServersResult>;
        }),
      );
      if (new Set(started.map((result) => result.threadId)).size !== threads) {
        throw new HarnessWorkerError('server threads: two start tasks ran on the same thread');
      }
      for (const result of started) {
        controls.push(await dial(result.controlAddress, { callTimeoutMs: CONTROL_CALL_TIMEOUT_MS }));
      }
      const servers = started.flatMap((result) => result.servers).sort((a, b) => a.index - b.index);
      return new ServerPool(pool, controls, servers);
    } catch (error) {
      await Promise.allSettled(controls.map((control) => control.call(`${CONTROL_SERVICE}.Stop`, null)));
      await Promise.allSettled(controls.map((control) => control.close()));
      await pool.destroy();
      throw error instanceof HarnessWorkerError
        ? error
        : new HarnessWorkerError(`server threads failed to start: ${(error as Error).message}`, {
            cause: error,
          });
    }
  }

  get addresses(): string[] {
    return this.servers.map((server) => server.address);
  }

  /** Resets every server's count and schedules its stall and crash from `startAtEpochMs`. */
  async begin(startAtEpochMs: number): Promise<void> {
    await this.#callAll(`${CONTROL_SERVICE}.Begin`, { startAtEpochMs });
  }

  /** The calls each server handled since begin(), by server index. */
  async counts(): Promise<number[]> {
    const replies = await this.#callAll<ServerCount[]>(`${CONTROL_SERVICE}.Counts`, null);
    const counts = new Array<number>(this.servers.length).fill(0);
    for (const reply of replies) for (const { index, calls } of reply) counts[index] = calls;
    return counts;
  }

  /** Cancels any crash or stall still scheduled. */
  async end(): Promise<void> {
    await this.#callAll(`${CONTROL_SERVICE}.End`, null);
  }

  /** Stops every server, then the threads. Safe to call more than once. */
  close(): Promise<void> {
    this.#closed ??= this.#close();
    return this.#closed;
  }

  async #close(): Promise<void> {
    await Promise.allSettled(this.#controls.map((control) => control.call(`${CONTROL_SERVICE}.Stop`, null)));
    await Promise.allSettled(this.#controls.map((control) => control.close()));
    await this.#pool.destroy();
  }

  #callAll<R>(serviceMethod: string, args: unknown): Promise<R[]> {
    if (this.#closed !== undefined) {
      return Promise.reject(new HarnessWorkerError('server pool is closed'));
    }
    return Promise.all(this.#controls.map((control) => control.call<R>(serviceMethod, args)));
  }
}
