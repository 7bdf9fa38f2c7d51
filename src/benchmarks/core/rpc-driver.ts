import type { Client } from '../../rpc/client.ts';
import type { CodecName } from '../../rpc/codec/codec.ts';
import { dial } from '../../rpc/dial.ts';
import type { CallDriver, CallSlot } from './call-driver.ts';

/** Calls `Bench.Echo` on one rpcbench connection. */
export class RpcDriver implements CallDriver {
  readonly #client: Client;
  readonly #payload: unknown;

  private constructor(client: Client, payload: unknown) {
    this.#client = client;
    this.#payload = payload;
  }

  static async connect(address: string, codec: CodecName, payload: unknown): Promise<RpcDriver> {
    return new RpcDriver(await dial(address, { codec }), payload);
  }

  start(slot: CallSlot): void {
    this.#client.call('Bench.Echo', this.#payload).then(slot.complete, slot.fail);
  }

  close(): Promise<void> {
    return this.#client.close();
  }
}
