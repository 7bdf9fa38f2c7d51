import type { GobFloatName, GobIntName, GobUintName } from '../gob/type-hints.ts';
import { GoTypesError } from './errors.ts';
import type { GoDeclarations, GoFieldDecl, GoTypeExpr } from './go-declarations.ts';
import type { GoField, GoType } from './go-type.ts';

const INTS = new Set<string>(['int', 'int8', 'int16', 'int32', 'int64']);
const UINTS = new Set<string>(['uint', 'uint8', 'uint16', 'uint32', 'uint64']);
/** Other spellings of basic kinds. */
const BASIC_ALIASES: Record<string, string> = { byte: 'uint8', rune: 'int32', uintptr: 'uint64' };
/** Methods by which a type encodes itself: its form is in code rpcbench does not run. */
const OWN_ENCODING = ['GobEncode', 'MarshalBinary', 'MarshalJSON', 'MarshalText'];
/** Types of the standard library whose form is known without their source. */
const KNOWN_QUALIFIED: Record<string, GoType> = {
  'time.Duration': { kind: 'int', goName: 'int64', display: 'time.Duration' },
};

/**
 * Looks up every name of `expr` in `declarations`: the one translation from Go source to the
 * types values are converted to. Throws GoTypesError naming what cannot be carried and where.
 */
export function resolveGoType(expr: GoTypeExpr, declarations: GoDeclarations): GoType {
  return new Resolver(declarations).resolve(expr, []);
}

class Resolver {
  readonly #named = new Map<string, GoType>();

  constructor(readonly declarations: GoDeclarations) {}

  resolve(expr: GoTypeExpr, stack: readonly string[]): GoType {
    switch (expr.kind) {
      case 'name':
        return this.#name(expr, stack);
      case 'pointer': {
        const elem = this.resolve(expr.elem, stack);
        return { kind: 'pointer', elem, display: `*${elem.display}` };
      }
      case 'slice': {
        const elem = this.resolve(expr.elem, stack);
        if (elem.kind === 'uint' && elem.goName === 'uint8')
          return { kind: 'bytes', display: `[]${elem.display}` };
        return { kind: 'slice', elem, display: `[]${elem.display}` };
      }
      case 'array': {
        const elem = this.resolve(expr.elem, stack);
        const length = Number(expr.length.replaceAll('_', ''));
        if (!Number.isSafeInteger(length) || length < 0 || !/^(?:0[xX])?[0-9a-fA-F_]+$/.test(expr.length)) {
          throw this.#error(stack, `array length ${expr.length}: only a number is understood here`);
        }
        return { kind: 'array', elem, length, display: `[${length}]${elem.display}` };
      }
      case 'map': {
        const key = this.resolve(expr.key, stack);
        if (!['string', 'int', 'uint'].includes(key.kind)) {
          throw this.#error(stack, `map key ${key.display}: JSON can only key a map by strings and integers`);
        }
        const elem = this.resolve(expr.elem, stack);
        return { kind: 'map', key, elem, display: `map[${key.display}]${elem.display}` };
      }
      case 'struct':
        return {
          kind: 'struct',
          name: stack.at(-1) ?? '',
          fields: expr.fields.map((field) => this.#field(field, stack)),
          display: 'struct {…}',
        };
      case 'other':
        throw this.#error(stack, `${expr.what}: gob and JSON cannot carry it here`);
    }
  }

  #field(field: GoFieldDecl, stack: readonly string[]): GoField {
    const json = /(?:^|\s)json:"([^"]*)"/.exec(field.tag)?.[1];
    const [jsonName = '', ...options] = (json ?? '').split(',');
    if (options.includes('string')) {
      throw this.#error(stack, `field ${field.name}: the json tag option ",string" is not supported`);
    }
    const skipped = jsonName === '-' && options.length === 0;
    return {
      name: field.name,
      embedded: field.embedded,
      // A field neither gob nor JSON sends need not be understood.
      type:
        isExported(field.name) && !skipped
          ? this.resolve(field.type, [...stack, `field ${field.name}`])
          : UNSENT,
      jsonName: skipped ? '' : jsonName,
      jsonSkip: skipped || !isExported(field.name),
      omitEmpty: options.includes('omitempty'),
    };
  }

  #name(expr: Extract<GoTypeExpr, { kind: 'name' }>, stack: readonly string[]): GoType {
    if (expr.pkg !== undefined) {
      const qualified = `${expr.pkg}.${expr.name}`;
      const known = KNOWN_QUALIFIED[qualified];
      if (known !== undefined) return known;
      throw this.#error(
        stack,
        `${qualified} is a type of package ${expr.pkg}, whose source is not given; such types (time.Time among them) encode themselves, so rpcbench cannot know their form`,
      );
    }
    const basic = basicType(BASIC_ALIASES[expr.name] ?? expr.name, expr.name);
    const declared = this.declarations.types.get(expr.name);
    if (declared === undefined) {
      if (basic !== undefined) return basic;
      if (expr.name === 'any' || expr.name === 'error')
        throw this.#error(stack, `${expr.name}: an interface; gob and JSON cannot carry it here`);
      if (expr.name === 'complex64' || expr.name === 'complex128')
        throw this.#error(stack, `${expr.name}: complex numbers are not supported`);
      throw this.#error(stack, `type ${expr.name} is not declared in the Go files given`);
    }
    const cached = this.#named.get(expr.name);
    if (cached !== undefined) return cached;
    if (stack.includes(`type ${expr.name}`))
      throw this.#error(stack, `type ${expr.name} contains itself; recursive types are not supported`);
    if (declared.generic)
      throw this.#error(stack, `type ${expr.name} (${declared.where}) is generic; not supported`);
    const own = this.declarations.methods.find(
      (m) => m.receiver === expr.name && OWN_ENCODING.includes(m.name),
    );
    if (own !== undefined) {
      throw this.#error(
        stack,
        `type ${expr.name} encodes itself (method ${own.name}, ${own.where}), so rpcbench cannot know its form`,
      );
    }
    const resolved = { ...this.resolve(declared.expr, [...stack, `type ${expr.name}`]), display: expr.name };
    const named = resolved.kind === 'struct' ? { ...resolved, name: expr.name } : resolved;
    this.#named.set(expr.name, named);
    return named;
  }

  #error(stack: readonly string[], what: string): GoTypesError {
    return new GoTypesError(stack.length === 0 ? what : `${stack.join(', ')}: ${what}`);
  }
}

/** A field left out by gob and JSON alike: never converted, never printed. */
const UNSENT: GoType = { kind: 'bool', display: 'unsent' };

function basicType(kind: string, display: string): GoType | undefined {
  if (kind === 'bool' || kind === 'string') return { kind, display };
  if (INTS.has(kind)) return { kind: 'int', goName: kind as GobIntName, display };
  if (UINTS.has(kind)) return { kind: 'uint', goName: kind as GobUintName, display };
  if (kind === 'float32' || kind === 'float64')
    return { kind: 'float', goName: kind as GobFloatName, display };
  return undefined;
}

/** Go exports a name that starts with an upper-case letter. */
export function isExported(name: string): boolean {
  return /^\p{Lu}/u.test(name);
}
