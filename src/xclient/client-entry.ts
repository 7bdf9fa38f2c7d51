import type { Client } from '../rpc/client.ts';
import type { PeakEwma } from './latency/peak-ewma.ts';

/** What an XClient keeps per server address. A class so that the hot path touches fields, not maps. */
export class ClientEntry {
  readonly address: string;
  /** The cached connection; replaced once it is no longer available. */
  client: Client | undefined;
  /** The dial in progress: every caller arriving meanwhile waits on this one promise. */
  dialing: Promise<Client> | undefined;
  /** This XClient's calls to the address not yet settled: what p2c compares. */
  inFlight = 0;
  /** The address left the discovery's list: close the client once inFlight reaches 0. */
  retired = false;
  /** peak-ewma's latency estimate of the server; undefined before its first reply and in other modes. */
  latency: PeakEwma | undefined = undefined;

  constructor(address: string) {
    this.address = address;
  }
}
