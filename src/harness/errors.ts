import { RpcError } from '../util/errors.ts';

/** The worker threads that host the servers or generate the load failed to start or answer. */
export class HarnessWorkerError extends RpcError {
  constructor(message: string, options?: ErrorOptions) {
    super('ERR_HARNESS_WORKER', message, options);
  }
}

/**
 * The error a server returns on purpose (scenario `errorRate`). Its text reaches the client in the
 * reply header, so the client sees ERR_REMOTE; the text names the cause for whoever reads it.
 */
export const INJECTED_ERROR_TEXT = 'rpcbench: injected error (scenario errorRate)';

/** Open model: a call that was due while `maxInFlight` calls were pending, so never sent. */
export const DROPPED_CALL_CODE = 'ERR_DROPPED';
/** An error that carried no `code` field. */
export const UNKNOWN_ERROR_CODE = 'ERR_UNKNOWN';

/** Raised inside a simulated server for a call its `errorRate` picked to fail. */
export class InjectedError extends RpcError {
  constructor() {
    super('ERR_INJECTED', INJECTED_ERROR_TEXT);
  }
}

/** The live metrics endpoint (`--metrics-listen`) could not listen on the address given. */
export class MetricsListenError extends RpcError {
  readonly address: string;

  constructor(address: string, reason: string, options?: ErrorOptions) {
    super('ERR_METRICS_LISTEN', `cannot serve metrics on ${address}: ${reason}`, options);
    this.address = address;
  }
}
