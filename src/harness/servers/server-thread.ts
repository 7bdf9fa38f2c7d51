import { performance } from 'node:perf_hooks';
import { Server } from '../../rpc/server/server.ts';
import { startThreadProfile, type ThreadProfile } from '../profile/thread-profile.ts';
import { DelayQueue } from './delay-queue.ts';
import { HttpEndpoint } from './http-endpoint.ts';
import { LOAD_METHOD } from './load-service.ts';
import { SimulatedServer, type SimulatedServerSpec } from './simulated-server.ts';
import { loadUserService, type UserService, type UserServiceSpec } from './user-service.ts';

/** The name of the control service each server thread exposes. */
export const CONTROL_SERVICE = 'Harness';

/** What a server thread reports once its servers listen. */
export interface StartedServer {
  index: number;
  /** The RPC address, e.g. `tcp@127.0.0.1:40123`. */
  address: string;
  /** The HTTP endpoint for the baseline, e.g. `http://127.0.0.1:40124`, or null when not asked for. */
  httpUrl: string | null;
}

export interface ServerCount {
  index: number;
  address: string;
  calls: number;
}

export interface ServerThreadOptions {
  servers: SimulatedServerSpec[];
  /** Also serve each server's methods over plain HTTP. */
  http: boolean;
  /** The user's service every server registers beside `Load`. */
  service?: UserServiceSpec;
}

/**
 * The servers one worker thread hosts, and the `Harness` control service through which the
 * runner drives them. Control goes over its own RPC listener, apart from the simulated servers,
 * so that it keeps answering while one of them is crashed.
 */
export class ServerThread {
  readonly #servers: SimulatedServer[];
  readonly #endpoints: HttpEndpoint[] = [];
  readonly #delays = new DelayQueue();
  readonly #control = new Server({ log: () => {} });
  #started: StartedServer[] = [];
  #controlAddress = '';
  #stopped = false;
  #profile: ThreadProfile | undefined;

  private constructor(options: ServerThreadOptions, userService: UserService | undefined) {
    this.#servers = options.servers.map((spec) => new SimulatedServer(spec, this.#delays, userService));
  }

  static async start(options: ServerThreadOptions): Promise<ServerThread> {
    const userService = options.service === undefined ? undefined : await loadUserService(options.service);
    const thread = new ServerThread(options, userService);
    thread.#profile = await startThreadProfile('server');
    try {
      await thread.#start(options.http);
    } catch (error) {
      await thread.stop();
      throw error;
    }
    return thread;
  }

  get controlAddress(): string {
    return this.#controlAddress;
  }

  get started(): StartedServer[] {
    return this.#started;
  }

  get stopped(): boolean {
    return this.#stopped;
  }

  /** Starts a measured phase at `startAtEpochMs` (Date.now() clock, shared by every thread). */
  async begin(startAtEpochMs: number): Promise<void> {
    const startAtMs = performance.now() + (startAtEpochMs - Date.now());
    await Promise.all(this.#servers.map((server) => server.begin(startAtMs)));
  }

  counts(): ServerCount[] {
    return this.#servers.map((server) => ({
      index: server.index,
      address: server.address,
      calls: server.calls,
    }));
  }

  end(): void {
    for (const server of this.#servers) server.end();
  }

  /** Closes every server, endpoint and, once its reply is out, the control listener. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#delays.flush();
    await Promise.all(this.#servers.map((server) => server.stop()));
    await Promise.all(this.#endpoints.map((endpoint) => endpoint.close()));
    // close() lets the Stop call in flight answer before its connection ends.
    void this.#control.close();
    await this.#profile?.stop();
  }

  async #start(http: boolean): Promise<void> {
    this.#control.register(new HarnessControlService(this), { name: CONTROL_SERVICE });
    this.#controlAddress = await this.#control.listen('tcp@127.0.0.1:0');
    for (const server of this.#servers) {
      const address = await server.start();
      let httpUrl: string | null = null;
      if (http) {
        const endpoint = new HttpEndpoint(new Map([[LOAD_METHOD, (args: unknown) => server.answer(args)]]));
        this.#endpoints.push(endpoint);
        httpUrl = await endpoint.listen();
      }
      this.#started.push({ index: server.index, address, httpUrl });
    }
  }
}

/** `Harness.Begin`, `Harness.Counts`, `Harness.End`, `Harness.Stop`: the runner's remote control. */
export class HarnessControlService {
  readonly #thread: ServerThread;

  constructor(thread: ServerThread) {
    this.#thread = thread;
  }

  async Begin(args: { startAtEpochMs: number }): Promise<null> {
    await this.#thread.begin(args.startAtEpochMs);
    return null;
  }

  Counts(): ServerCount[] {
    return this.#thread.counts();
  }

  End(): null {
    this.#thread.end();
    return null;
  }

  async Stop(): Promise<null> {
    await this.#thread.stop();
    return null;
  }
}
