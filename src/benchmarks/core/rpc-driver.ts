import type { Client, ReplyHandler } from '../../rpc/client.ts';
import type { CodecName } from '../../rpc/codec/codec.ts';
import { dial } from '../../rpc/dial.ts';
import type { CallDriver, CallSlot } from './call-driver.ts';

/** Ends each call on its caller's slot: one handler for every call, as a load generator's. */
const SLOT_HANDLER: ReplyHandler<CallSlot> = {
  onReply: (_reply, slot) => slot.complete(),
  onError: (error, slot) => slot.fail(error),
};

/** Calls `Bench.Echo` on one rpcbench connection, through callWith: no promise per call. */
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
    this.#client.callWith('Bench.Echo', this.#payload, undefined, SLOT_HANDLER, slot);
  }

  close(): Promise<void> {
    return this.#client.close();
  }
}
