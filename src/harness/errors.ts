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

/** A reply that the scenario's `call.check` refused: counted as an error of its server. */
export class CheckFailedError extends RpcError {
  readonly address: string;

  constructor(address: string, reason: string, options?: ErrorOptions) {
    super('ERR_CHECK', `check failed: ${reason}`, options);
    this.address = address;
  }
}

/** The scenario's `call.args` function threw, or `call.argsFile` cannot be used. */
export class CallArgumentsError extends RpcError {
  constructor(message: string, options?: ErrorOptions) {
    super('ERR_ARGS', message, options);
  }
}

/** An external target that cannot be load-tested: unreachable, refusing the codec, or without the method. */
export class TargetError extends RpcError {
  /** The target's address, registry or etcd endpoints. */
  readonly target: string;

  constructor(target: string, reason: string, options?: ErrorOptions) {
    super('ERR_TARGET', `target ${target}: ${reason}`, options);
    this.target = target;
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
