import { GobValueError } from './errors.ts';
import { INT64_MAX, INT64_MIN, UINT64_MAX } from './primitives.ts';
import {
  GO_WIRE_TYPE,
  type GobStructField,
  type GobType,
  GobTypedValue,
  gob,
  isExportedName,
  structFromFields,
} from './type-hints.ts';
import { goTypeKey, goTypeString } from './type-names.ts';

/** `struct{}`: what a value with nothing to say (null, undefined) is sent as, as GeeRPC does for error replies. */
const EMPTY_STRUCT = structFromFields('', []);

/**
 * Inferred types are interned: values of one shape infer to the same type object, whose encode
 * plan is compiled once and cached, instead of a new type (and plan) per value. The table is
 * bounded: past it, a new shape is still inferred, only not kept.
 */
const MAX_INTERNED_TYPES = 4096;
const interned = new Map<string, GobType>();
const typeIds = new WeakMap<GobType, number>();
let nextTypeId = 1;
/** Field names seen, and whether Go exports them: the same few names come in every value. */
const exportedNames = new Map<string, boolean>();

function idOf(type: GobType): number {
  let id = typeIds.get(type);
  if (id === undefined) {
    id = nextTypeId++;
    typeIds.set(type, id);
  }
  return id;
}

function intern<T extends GobType>(key: string, make: () => T): GobType {
  const known = interned.get(key);
  if (known !== undefined) return known;
  const type = make();
  if (interned.size < MAX_INTERNED_TYPES) interned.set(key, type);
  return type;
}

function isExportedField(name: string): boolean {
  let exported = exportedNames.get(name);
  if (exported === undefined) {
    exported = isExportedName(name);
    if (exportedNames.size < MAX_INTERNED_TYPES) exportedNames.set(name, exported);
  }
  return exported;
}

/**
 * The Go type a JavaScript value is sent as when no hint says otherwise:
 * - a safe integer → `int`; any other number → `float64`;
 * - a bigint → `int64` when it fits, else `uint64` (above 2^63-1), else an error;
 * - string → `string`, boolean → `bool`, Uint8Array/Buffer → `[]byte`;
 * - an array → a slice of its elements' one type (an empty array is an error: nothing says
 *   what Go type its elements have, and a Go receiver checks element types even of an empty slice);
 * - a Map → a map of its keys' and values' one types (not empty, for the same reason);
 * - a plain object → an anonymous struct of its properties, in their order (each must be a name
 *   Go exports; properties holding null or undefined are left out of the struct);
 * - null or undefined at the top → `struct{}`;
 * - a GobTypedValue → its type;
 * - a struct, slice, array or map decoded from gob → the Go type it arrived as (see GO_WIRE_TYPE).
 * Throws GobValueError naming the path of what cannot be inferred.
 */
export function inferGobType(value: unknown, root = 'value'): GobType {
  if (value === null || value === undefined) return EMPTY_STRUCT;
  return infer(value, root);
}

function infer(value: unknown, path: string): GobType {
  if (value instanceof GobTypedValue) return value.type;
  switch (typeof value) {
    case 'boolean':
      return gob.bool;
    case 'number':
      return Number.isSafeInteger(value) ? gob.int : gob.float64;
    case 'bigint':
      if (value >= INT64_MIN && value <= INT64_MAX) return gob.int64;
      if (value > 0n && value <= UINT64_MAX) return gob.uint64;
      throw new GobValueError(path, `the bigint ${value}n fits neither int64 nor uint64`);
    case 'string':
      return gob.string;
    case 'object':
      break;
    default:
      throw new GobValueError(path, `gob cannot carry a ${typeof value}`);
  }
  if (value === null) {
    throw new GobValueError(path, 'null has no Go type here: pass a type hint (it is then the zero value)');
  }
  const arrivedAs = (value as { [GO_WIRE_TYPE]?: GobType })[GO_WIRE_TYPE];
  if (arrivedAs !== undefined) return arrivedAs;
  if (value instanceof Uint8Array) return gob.bytes;
  if (Array.isArray(value)) {
    const elem = sameType(value, path, (i) => `${path}[${i}]`, 'array');
    return intern(`[]${idOf(elem)}`, () => gob.slice(elem));
  }
  if (value instanceof Map) {
    if (value.size === 0) {
      throw new GobValueError(
        path,
        'an empty Map has no key or element type to infer: pass a type hint, e.g. gob.map(gob.string, gob.int)',
      );
    }
    const keys = [...value.keys()];
    const key = sameType(keys, path, (i) => `${path}{key ${i}}`, 'Map');
    const elem = sameType([...value.values()], path, (i) => `${path}[${String(keys[i])}]`, 'Map');
    return intern(`map[${idOf(key)}]${idOf(elem)}`, () => gob.map(key, elem));
  }
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) {
    const name = (prototype as { constructor?: { name?: string } }).constructor?.name ?? 'object';
    throw new GobValueError(path, `a ${name} is not a plain object: pass a type hint`);
  }
  // Walks the shape trie by field name and field type: no key string is built per value.
  let node = STRUCT_SHAPES;
  const record = value as Record<string, unknown>;
  for (const name in record) {
    const field = record[name];
    // A name already in the trie was checked when it was added.
    if (!node.knows(name) && !isExportedField(name)) {
      throw new GobValueError(
        `${path}.${name}`,
        'not a Go-exported field name (an upper-case letter, then letters, digits or _)',
      );
    }
    if (field === null || field === undefined) continue;
    node = node.child(name, infer(field, `${path}.${name}`));
  }
  return node.type ?? node.settle(structOf(record, path));
}

/** The struct type of a plain object's fields, built the first time its shape is seen. */
function structOf(record: Record<string, unknown>, path: string): GobType {
  const fields: GobStructField[] = [];
  for (const name in record) {
    const field = record[name];
    if (field !== null && field !== undefined) fields.push({ name, type: infer(field, `${path}.${name}`) });
  }
  return structFromFields('', fields);
}

/**
 * A trie of struct shapes: one step per field, by name and then by the field's (interned) type.
 * The node a value's fields lead to holds the struct type of that shape.
 */
class ShapeNode {
  static count = 0;
  readonly #next = new Map<string, Map<GobType, ShapeNode>>();
  type: GobType | undefined;
  /** The step taken last: values of one shape come in runs, and then each step is two comparisons. */
  #lastName: string | undefined;
  #lastType: GobType | undefined;
  #lastChild: ShapeNode | undefined;

  knows(name: string): boolean {
    return name === this.#lastName || this.#next.has(name);
  }

  child(name: string, type: GobType): ShapeNode {
    if (name === this.#lastName && type === this.#lastType) return this.#lastChild!;
    const node = this.#step(name, type);
    this.#lastName = name;
    this.#lastType = type;
    this.#lastChild = node;
    return node;
  }

  #step(name: string, type: GobType): ShapeNode {
    let byType = this.#next.get(name);
    if (byType === undefined) {
      byType = new Map();
      this.#next.set(name, byType);
    }
    let node = byType.get(type);
    if (node === undefined) {
      node = new ShapeNode();
      // Past the bound, new shapes are still inferred, on nodes that are not kept.
      if (ShapeNode.count++ < MAX_INTERNED_TYPES) byType.set(type, node);
    }
    return node;
  }

  settle(type: GobType): GobType {
    this.type = type;
    return type;
  }
}

const STRUCT_SHAPES = new ShapeNode();

/** The one type all `items` infer to; mixed types are an error naming the first that differs. */
function sameType(items: readonly unknown[], path: string, at: (i: number) => string, what: string): GobType {
  if (items.length === 0) {
    throw new GobValueError(
      path,
      `an empty ${what} has no element type to infer: pass a type hint, e.g. gob.slice(gob.string)`,
    );
  }
  const first = infer(items[0], at(0));
  const firstKey = goTypeKey(first);
  let widened = false;
  for (let i = 1; i < items.length; i++) {
    const type = infer(items[i], at(i));
    if (type === first || goTypeKey(type) === firstKey) continue;
    // Numbers of which some are not integers: []float64, as a JSON decoder in Go would read them.
    if (isNumberType(first) && isNumberType(type)) {
      widened = true;
      continue;
    }
    throw new GobValueError(
      at(i),
      `mixed element types: element 0 is ${goTypeString(first)}, this one is ${goTypeString(type)}`,
    );
  }
  return widened ? gob.float64 : first;
}

function isNumberType(type: GobType): boolean {
  return type === gob.int || type === gob.float64;
}
