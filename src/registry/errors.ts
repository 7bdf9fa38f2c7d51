import { RpcError } from '../util/errors.ts';

/** The registry could not be reached, did not answer in time, or answered with an error status. */
export class RegistryUnavailableError extends RpcError {
  readonly url: string;
  constructor(url: string, reason: string, options?: ErrorOptions) {
    super('ERR_REGISTRY_UNAVAILABLE', `rpc registry: ${url}: ${reason}`, options);
    this.url = url;
  }
}

/** etcd could not be reached, or refused an operation. */
export class EtcdUnavailableError extends RpcError {
  constructor(operation: string, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super('ERR_ETCD_UNAVAILABLE', `rpc etcd: ${operation} failed: ${reason}`, { cause });
  }
}
