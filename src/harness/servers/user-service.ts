import { listMethods, type MethodHandler, serviceNameOf } from '../../rpc/server/service.ts';
import { importUserModule } from '../../scenario/user-module.ts';
import { HarnessWorkerError } from '../errors.ts';

/** The scenario's `servers.service`, its module path made absolute. */
export interface UserServiceSpec {
  module: string;
  name?: string;
}

/** A user's service object and the name it is called by. */
export interface UserService {
  name: string;
  instance: object;
}

/** Imports the module and takes its default export: a class (made with `new`) or an object. */
export async function loadUserService(spec: UserServiceSpec): Promise<UserService> {
  let exported: unknown;
  try {
    exported = (await importUserModule(spec.module)).default;
  } catch (error) {
    throw new HarnessWorkerError(
      `servers.service ${spec.module}: cannot be loaded: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  if (exported === null || (typeof exported !== 'object' && typeof exported !== 'function')) {
    throw new HarnessWorkerError(
      `servers.service ${spec.module}: the default export must be a class or an object: export default class KV { Get(args) {...} }`,
    );
  }
  const instance =
    typeof exported === 'function' ? new (exported as new () => object)() : (exported as object);
  try {
    return { name: serviceNameOf(instance, spec.name), instance };
  } catch (error) {
    throw new HarnessWorkerError(`servers.service ${spec.module}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/**
 * The service's methods, each run through `host` so that the server's behaviour (service time,
 * errors, stall, crash, slowness) and its call count apply to the user's code as to `Load.Work`.
 */
export function wrapUserService(
  service: UserService,
  host: { handle(args: unknown, work: () => unknown): unknown },
): Record<string, MethodHandler> {
  const wrapped: Record<string, MethodHandler> = {};
  for (const name of listMethods(service.instance)) {
    const method = (service.instance as Record<string, MethodHandler>)[name]!.bind(service.instance);
    wrapped[name] = (args, ctx) => host.handle(args, () => method(args, ctx));
  }
  return wrapped;
}
