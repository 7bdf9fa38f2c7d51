import { performance } from 'node:perf_hooks';
import { Server } from '../../rpc/server/server.ts';
import type { ServerBehaviour } from '../../scenario/scenario-schema.ts';
import { createSeededRandom } from '../../util/seeded-random.ts';
import { usToMs } from '../../util/units.ts';
import { InjectedError } from '../errors.ts';
import type { DelayQueue } from './delay-queue.ts';
import { LOAD_SERVICE, type LoadHandler, LoadService } from './load-service.ts';
import { createServiceTimeSampler } from './service-time.ts';
import { type UserService, wrapUserService } from './user-service.ts';

/** What a server thread is told about one server it hosts. */
export interface SimulatedServerSpec {
  index: number;
  /** Where to listen: `tcp@127.0.0.1:0`, `http@127.0.0.1:0` or `unix@/path`. */
  listenAddress: string;
  behaviour: ServerBehaviour;
  seed: number;
}

/**
 * One RPC server whose answers follow a scenario: service time, errors, slowness, a stall and a
 * crash with an optional restart on the same address. It counts the calls it handles: the ground
 * truth the fairness figures are computed from.
 */
export class SimulatedServer implements LoadHandler {
  readonly index: number;
  readonly #spec: SimulatedServerSpec;
  readonly #delays: DelayQueue;
  readonly #service: LoadService;
  readonly #random: () => number;
  readonly #sampleUs: () => number;
  readonly #fixedZero: boolean;
  readonly #userService: { name: string; methods: object } | undefined;
  #server: Server | undefined;
  #address = '';
  #calls = 0;
  /** As the behaviour says, or as its schedule's last step reached says. */
  #slowFactor: number;
  #errorRate: number;
  #stallFromMs = Number.POSITIVE_INFINITY;
  #stallUntilMs = Number.NEGATIVE_INFINITY;
  #timers: NodeJS.Timeout[] = [];
  #restarting: Promise<void> | undefined;

  constructor(spec: SimulatedServerSpec, delays: DelayQueue, userService?: UserService) {
    this.index = spec.index;
    this.#spec = spec;
    this.#delays = delays;
    this.#service = new LoadService(this);
    this.#random = createSeededRandom(spec.seed);
    this.#sampleUs = createServiceTimeSampler(spec.behaviour.serviceTime, this.#random);
    const { serviceTime } = spec.behaviour;
    this.#fixedZero = serviceTime.distribution === 'fixed' && serviceTime.us === 0;
    this.#userService =
      userService === undefined
        ? undefined
        : { name: userService.name, methods: wrapUserService(userService, this) };
    this.#slowFactor = spec.behaviour.slowFactor;
    this.#errorRate = spec.behaviour.errorRate;
  }

  /** The bound address (the real port once listening). */
  get address(): string {
    return this.#address;
  }

  get calls(): number {
    return this.#calls;
  }

  get running(): boolean {
    return this.#server !== undefined;
  }

  async start(): Promise<string> {
    this.#address = await this.#listen(this.#spec.listenAddress);
    return this.#address;
  }

  /**
   * Counts the call, then answers as the behaviour says: at once, after a delay, or with an error.
   * The answer is `work()` (a user's method), run once the added service time has passed, or the arguments.
   */
  handle(args: unknown, work?: () => unknown): unknown {
    this.#calls++;
    return this.answer(args, work);
  }

  /** The answer without counting it: the HTTP endpoint uses it for the baseline. */
  answer(args: unknown, work?: () => unknown): unknown {
    const errorRate = this.#errorRate;
    const slowFactor = this.#slowFactor;
    const fails = errorRate > 0 && this.#random() < errorRate;
    const serviceMs = this.#fixedZero ? 0 : usToMs(this.#sampleUs() * slowFactor);
    let dueMs = 0;
    if (serviceMs > 0 || this.#stallUntilMs > 0) {
      const now = performance.now();
      dueMs = now + serviceMs;
      // A stalled server holds every reply until the stall ends, then takes its service time.
      if (now >= this.#stallFromMs && now < this.#stallUntilMs) dueMs = this.#stallUntilMs + serviceMs;
      if (dueMs <= now) dueMs = 0;
    }
    if (dueMs === 0) {
      if (fails) throw new InjectedError();
      return work === undefined ? args : work();
    }
    return this.#delays.until(dueMs).then(() => {
      if (fails) throw new InjectedError();
      return work === undefined ? args : work();
    });
  }

  /**
   * Starts a measured phase at `startAtMs` (performance.now() clock of this thread): a crashed
   * server is restarted, the count is reset and the stall, crash and schedule steps are timed from then.
   */
  async begin(startAtMs: number): Promise<void> {
    this.end();
    if (this.#server === undefined) await this.#restart();
    this.#calls = 0;
    const { stall, crash, schedule } = this.#spec.behaviour;
    for (const step of schedule ?? []) {
      this.#after(startAtMs + step.atMs, () => {
        this.#slowFactor = step.slowFactor ?? this.#slowFactor;
        this.#errorRate = step.errorRate ?? this.#errorRate;
      });
    }
    if (stall !== undefined) {
      this.#stallFromMs = startAtMs + stall.atMs;
      this.#stallUntilMs = this.#stallFromMs + stall.durationMs;
    }
    if (crash !== undefined) {
      this.#after(startAtMs + crash.atMs, () => {
        void this.#crash(crash.restartAfterMs);
      });
    }
  }

  /** Cancels what begin() scheduled; a stall under way ends now, a schedule goes back to its start. */
  end(): void {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers = [];
    this.#slowFactor = this.#spec.behaviour.slowFactor;
    this.#errorRate = this.#spec.behaviour.errorRate;
    this.#stallFromMs = Number.POSITIVE_INFINITY;
    this.#stallUntilMs = Number.NEGATIVE_INFINITY;
  }

  /** Closes the server for good: connections are dropped, as at the end of a run nothing is waited for. */
  async stop(): Promise<void> {
    this.end();
    await this.#restarting;
    const server = this.#server;
    this.#server = undefined;
    await server?.destroy();
  }

  async #crash(restartAfterMs: number | undefined): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    await server?.destroy();
    if (restartAfterMs !== undefined) {
      this.#after(performance.now() + restartAfterMs, () => {
        void this.#restart();
      });
    }
  }

  #restart(): Promise<void> {
    this.#restarting ??= this.#listen(this.#address).then(
      () => {
        this.#restarting = undefined;
      },
      () => {
        // The port may be taken meanwhile: the server stays down and the errors show it.
        this.#restarting = undefined;
      },
    );
    return this.#restarting;
  }

  async #listen(address: string): Promise<string> {
    // Connection problems are what a crash test provokes on purpose: nothing to print.
    const server = new Server({ log: () => {} }).register(this.#service, { name: LOAD_SERVICE });
    if (this.#userService !== undefined) {
      server.register(this.#userService.methods, { name: this.#userService.name });
    }
    const bound = await server.listen(address);
    this.#server = server;
    return bound;
  }

  #after(atMs: number, action: () => void): void {
    const timer = setTimeout(action, Math.max(0, atMs - performance.now()));
    this.#timers.push(timer);
  }
}
