import { GobTypedValue } from '../gob/type-hints.ts';
import { GoTypesError } from './errors.ts';
import type { GoDeclarations } from './go-declarations.ts';
import { loadGoDeclarations } from './go-source.ts';
import type { GoType } from './go-type.ts';
import { gobTypeOf } from './gob-type-of.ts';
import { goValueFromJson } from './json-to-go.ts';
import { resolveGoType } from './resolve-go-type.ts';

/** The Go argument and reply types of a GeeRPC method: `func (t *T) M(args A, reply *R) error`. */
export interface GoMethodTypes {
  readonly serviceMethod: string;
  readonly args: GoType;
  /** R: what the reply pointer points to. */
  readonly reply: GoType;
}

/** The method's types from the Go source at `path` (a .go file or a package directory). */
export function loadGoMethodTypes(path: string, serviceMethod: string): GoMethodTypes {
  return goMethodTypes(loadGoDeclarations(path), serviceMethod, path);
}

export function goMethodTypes(
  declarations: GoDeclarations,
  serviceMethod: string,
  source = 'the Go source',
): GoMethodTypes {
  const [service, name] = serviceMethod.split('.') as [string, string | undefined];
  const ofService = declarations.methods.filter((method) => method.receiver === service);
  const method = ofService.find((candidate) => candidate.name === name);
  if (method === undefined) {
    const services = [...new Set(declarations.methods.filter(isRpcMethod).map((m) => m.receiver))];
    throw new GoTypesError(
      ofService.length === 0
        ? `${source} declares no methods of ${service} (services there: ${services.join(', ') || 'none'})`
        : `${source}: ${service} has no method ${name} (its RPC methods: ${
            ofService
              .filter(isRpcMethod)
              .map((m) => m.name)
              .join(', ') || 'none'
          })`,
    );
  }
  if (!isRpcMethod(method)) {
    throw new GoTypesError(
      `${method.where}: ${serviceMethod} is not an RPC method: GeeRPC wants func (t *T) ${name}(args A, reply *R) error`,
    );
  }
  const reply = method.params[1]!;
  const resolve = (part: string, expr: Parameters<typeof resolveGoType>[0]) => {
    try {
      return resolveGoType(expr, declarations);
    } catch (error) {
      if (!(error instanceof GoTypesError)) throw error;
      throw new GoTypesError(`${serviceMethod} ${part} (${method.where}): ${error.message}`);
    }
  };
  return {
    serviceMethod,
    args: resolve('argument', method.params[0]!),
    reply: resolve('reply', reply.kind === 'pointer' ? reply.elem : reply),
  };
}

function isRpcMethod(method: GoDeclarations['methods'][number]): boolean {
  const [result] = method.results;
  return (
    /^\p{Lu}/u.test(method.name) &&
    method.params.length === 2 &&
    method.params[1]!.kind === 'pointer' &&
    method.results.length === 1 &&
    result?.kind === 'name' &&
    result.name === 'error' &&
    result.pkg === undefined
  );
}

/**
 * The call's arguments in the method's Go argument type: the one conversion that --args,
 * --args-file, scenario args and args functions go through when Go types are given.
 */
export function toGoArgs(json: unknown, method: GoMethodTypes, path = 'args'): GobTypedValue {
  return new GobTypedValue(gobTypeOf(method.args), goValueFromJson(json, method.args, path));
}
