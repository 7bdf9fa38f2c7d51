import { InvalidArgumentError } from '../../util/errors.ts';

/** What a handler receives besides its arguments. */
export interface CallContext {
  /** Fires when the call times out on the server, or its connection closes. */
  readonly signal: AbortSignal;
  readonly serviceMethod: string;
}

export type MethodHandler = (args: unknown, ctx: CallContext) => unknown;

export interface MethodStats {
  readonly name: string;
  readonly calls: number;
}

/** One method of a registered object, and how often it was called. */
export interface Method {
  readonly handler: MethodHandler;
  calls: number;
}

/** One registered object: its methods and how often each was called. */
export class Service {
  readonly name: string;
  readonly #methods = new Map<string, Method>();

  constructor(name: string, instance: object) {
    this.name = name;
    for (const methodName of listMethods(instance)) {
      // `Service.Method` is split at its last dot, so such a method could never be called.
      if (methodName.includes('.')) {
        throw new InvalidArgumentError(
          `rpc server: method name "${name}.${methodName}" must not contain "."`,
        );
      }
      const fn = (instance as Record<string, MethodHandler>)[methodName]!;
      this.#methods.set(methodName, { handler: fn.bind(instance), calls: 0 });
    }
    if (this.#methods.size === 0) {
      throw new InvalidArgumentError(`rpc server: service "${name}" has no methods to expose`);
    }
  }

  /** Every method by its `Service.Method` name: what a call names. */
  byServiceMethod(): Map<string, Method> {
    return new Map([...this.#methods].map(([methodName, method]) => [`${this.name}.${methodName}`, method]));
  }

  methods(): MethodStats[] {
    return [...this.#methods].map(([name, { calls }]) => ({ name, calls }));
  }
}

/** Own and inherited methods, up to but not including Object.prototype. */
export function listMethods(instance: object): string[] {
  const names = new Set<string>();
  for (
    let proto: object | null = instance;
    proto && proto !== Object.prototype;
    proto = Object.getPrototypeOf(proto)
  ) {
    for (const name of Object.getOwnPropertyNames(proto)) {
      if (name === 'constructor' || name.startsWith('_')) continue;
      const descriptor = Object.getOwnPropertyDescriptor(proto, name);
      if (descriptor && typeof descriptor.value === 'function') names.add(name);
    }
  }
  return [...names];
}

/** The service name of an instance: its class name, unless given. */
export function serviceNameOf(instance: object, name: string | undefined): string {
  // Objects made with Object.create(null) have no constructor at all.
  const ctor: unknown = (instance as { constructor?: unknown }).constructor;
  const resolved = name ?? (typeof ctor === 'function' && ctor !== Object ? ctor.name : '');
  if (!resolved) {
    throw new InvalidArgumentError(
      'rpc server: a plain object needs a service name: register(obj, { name })',
    );
  }
  if (resolved.includes('.')) {
    throw new InvalidArgumentError(`rpc server: service name "${resolved}" must not contain "."`);
  }
  return resolved;
}
