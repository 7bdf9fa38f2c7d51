import { RpcError } from '../rpc/errors.ts';

/** A gate measurement could not be taken: calls failed, or a workload did not start. */
export class GateMeasurementError extends RpcError {
  constructor(message: string, options?: ErrorOptions) {
    super('ERR_GATE_MEASUREMENT', message, options);
  }
}

/** The gate was asked for something it cannot do, such as two scenario files with one name. */
export class GateConfigError extends RpcError {
  constructor(message: string) {
    super('ERR_GATE_CONFIG', message);
  }
}
