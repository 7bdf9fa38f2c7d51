import { RpcError } from '../util/errors.ts';

/** The registry could not be reached, did not answer in time, or answered with an error status. */
export class RegistryUnavailableError extends RpcError {
  readonly url: string;
  constructor(url: string, reason: string, options?: ErrorOptions) {
    super('ERR_REGISTRY_UNAVAILABLE', `rpc registry: ${url}: ${reason}`, options);
    this.url = url;
  }
}

/**
 * The registry will not take a registration: the address is too long or not allowed
 * (`ERR_REGISTRY_REFUSED`), or the registry is full (`ERR_REGISTRY_FULL`). `status` is the HTTP
 * status a `POST` answers with it.
 */
export class RegistrationRefusedError extends RpcError {
  readonly address: string;
  readonly status: 400 | 403 | 503;
  constructor(
    code: 'ERR_REGISTRY_REFUSED' | 'ERR_REGISTRY_FULL',
    status: 400 | 403 | 503,
    address: string,
    message: string,
  ) {
    super(code, `rpc registry: ${message}`);
    this.address = address;
    this.status = status;
  }
}

/** etcd could not be reached, or refused an operation. */
export class EtcdUnavailableError extends RpcError {
  constructor(operation: string, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super('ERR_ETCD_UNAVAILABLE', `rpc etcd: ${operation} failed: ${reason}`, { cause });
  }
}
