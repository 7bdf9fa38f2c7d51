/** What the load generators call on every simulated server. */
export {
  DEFAULT_METHOD as LOAD_METHOD,
  DEFAULT_SERVICE as LOAD_SERVICE,
} from '../../scenario/phase-rpc-setup.ts';

/** The one handler a simulated server exposes; the behaviour lives in its host. */
export interface LoadHandler {
  handle(args: unknown): unknown;
}

/**
 * Registered as `Load` on each simulated server: `Load.Work` echoes its arguments after the
 * server's service time, or fails as its scenario says.
 */
export class LoadService {
  readonly #handler: LoadHandler;

  constructor(handler: LoadHandler) {
    this.#handler = handler;
  }

  Work(args: unknown): unknown {
    return this.#handler.handle(args);
  }
}
