import { RpcError } from '../../util/errors.ts';

/** Go source that cannot be read, or a type or method it does not declare in a form rpcbench can send. */
export class GoTypesError extends RpcError {
  constructor(message: string, options?: ErrorOptions) {
    super('ERR_GO_TYPES', message, options);
  }
}

/** A value that does not fit the Go type it is converted to; `path` says where (`.Items[2].Qty`). */
export class GoValueError extends RpcError {
  constructor(message: string) {
    super('ERR_GO_VALUE', message);
  }
}
