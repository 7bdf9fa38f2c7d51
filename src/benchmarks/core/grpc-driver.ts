import { type Client, credentials, makeGenericClientConstructor, type ServiceError } from '@grpc/grpc-js';
import type { CallDriver, CallSlot } from './call-driver.ts';
import { ECHO_PAYLOAD, type EchoPayload } from './payload.ts';
import { GRPC_ECHO_SERVICE } from './servers/grpc-echo-service.ts';

type EchoCallback = (error: ServiceError | null, reply?: EchoPayload) => void;
type EchoClient = Client & { Echo(request: EchoPayload, callback: EchoCallback): unknown };

const EchoClientConstructor = makeGenericClientConstructor(GRPC_ECHO_SERVICE, 'Bench');

/** Unary `Bench.Echo` calls over one grpc-js channel. */
export class GrpcDriver implements CallDriver {
  readonly #client: EchoClient;
  /** One callback per slot, made once: the harness adds no closure per call. */
  readonly #callbacks = new WeakMap<CallSlot, EchoCallback>();

  private constructor(client: EchoClient) {
    this.#client = client;
  }

  static async connect(port: number): Promise<GrpcDriver> {
    const client = new EchoClientConstructor(
      `127.0.0.1:${port}`,
      credentials.createInsecure(),
    ) as unknown as EchoClient;
    await new Promise<void>((resolve, reject) => {
      client.waitForReady(Date.now() + 10_000, (error) => (error ? reject(error) : resolve()));
    });
    return new GrpcDriver(client);
  }

  start(slot: CallSlot): void {
    let callback = this.#callbacks.get(slot);
    if (callback === undefined) {
      callback = (error) => (error ? slot.fail(error) : slot.complete());
      this.#callbacks.set(slot, callback);
    }
    this.#client.Echo(ECHO_PAYLOAD, callback);
  }

  close(): Promise<void> {
    this.#client.close();
    return Promise.resolve();
  }
}
