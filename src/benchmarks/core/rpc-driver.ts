import type { Client } from '../../rpc/client.ts';
import type { CodecName } from '../../rpc/codec/codec.ts';
import { dial } from '../../rpc/dial.ts';
import type { CallDriver, CallSlot } from './call-driver.ts';
import { ECHO_PAYLOAD } from './payload.ts';

/** Calls `Bench.Echo` on one rpcbench connection. */
export class RpcDriver implements CallDriver {
  readonly #client: Client;

  private constructor(client: Client) {
    this.#client = client;
  }

  static async connect(address: string, codec: CodecName): Promise<RpcDriver> {
    return new RpcDriver(await dial(address, { codec }));
  }

  start(slot: CallSlot): void {
    this.#client.call('Bench.Echo', ECHO_PAYLOAD).then(slot.complete, slot.fail);
  }

  close(): Promise<void> {
    return this.#client.close();
  }
}
