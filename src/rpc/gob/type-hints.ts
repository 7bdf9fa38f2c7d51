import { GobInvalidTypeError } from './errors.ts';

/**
 * The Go types a value can be encoded as. gob itself only knows signed, unsigned and float
 * numbers; the Go width is kept because it decides the range a value must fit and because Go
 * gives `[]int32` and `[]int` distinct type ids, which the encoder mirrors.
 */
export type GobIntName = 'int' | 'int8' | 'int16' | 'int32' | 'int64';
export type GobUintName = 'uint' | 'uint8' | 'uint16' | 'uint32' | 'uint64';
export type GobFloatName = 'float32' | 'float64';

export interface GobBoolType {
  readonly kind: 'bool';
}
export interface GobIntType {
  readonly kind: 'int';
  readonly goName: GobIntName;
}
export interface GobUintType {
  readonly kind: 'uint';
  readonly goName: GobUintName;
}
export interface GobFloatType {
  readonly kind: 'float';
  readonly goName: GobFloatName;
}
export interface GobStringType {
  readonly kind: 'string';
}
/** `[]byte`: gob's own basic type, a count then the raw bytes. */
export interface GobBytesType {
  readonly kind: 'bytes';
}
export interface GobSliceType {
  readonly kind: 'slice';
  readonly elem: GobType;
}
export interface GobArrayType {
  readonly kind: 'array';
  readonly elem: GobType;
  readonly length: number;
}
export interface GobMapType {
  readonly kind: 'map';
  readonly key: GobType;
  readonly elem: GobType;
}
export interface GobStructField {
  readonly name: string;
  readonly type: GobType;
}
/**
 * `name` is the Go type name, '' for an anonymous struct; it may carry a package qualifier
 * ('main.Args') that Go prints when the struct appears inside another type's name. Go's
 * decoder never checks names: it matches fields by name and type.
 */
export interface GobStructType {
  readonly kind: 'struct';
  readonly name: string;
  readonly fields: readonly GobStructField[];
}

export type GobType =
  | GobBoolType
  | GobIntType
  | GobUintType
  | GobFloatType
  | GobStringType
  | GobBytesType
  | GobSliceType
  | GobArrayType
  | GobMapType
  | GobStructType;

/**
 * Marks typed values by a registered symbol rather than by class: a scenario file compiled as
 * CommonJS gets its own copy of this module, and its typed values must still be recognised.
 */
const TYPED_VALUE = Symbol.for('rpcbench.gob.typedValue');

/** A value with the Go type it is to be sent as; may stand anywhere inside a value. */
export class GobTypedValue {
  readonly [TYPED_VALUE] = true;

  constructor(
    readonly type: GobType,
    readonly value: unknown,
  ) {}

  static [Symbol.hasInstance](candidate: unknown): boolean {
    return (
      typeof candidate === 'object' &&
      candidate !== null &&
      (candidate as Record<symbol, unknown>)[TYPED_VALUE] === true
    );
  }
}

/**
 * The Go type a decoded struct, slice, array or map arrived as, kept on the value under this
 * non-enumerable symbol: sending the value again (an echo, a pass-through) encodes that type,
 * not the one its JavaScript form would infer (uint8, a float64 holding 3, an empty slice, a map
 * keyed by strings). A registered symbol, for the reason TYPED_VALUE is one.
 */
export const GO_WIRE_TYPE: unique symbol = Symbol.for('rpcbench.gob.wireType') as never;

/** The Go type a decoded value arrived as (see GO_WIRE_TYPE); undefined for any other value. */
export function goWireTypeOf(value: unknown): GobType | undefined {
  return typeof value === 'object' && value !== null
    ? ((value as { [GO_WIRE_TYPE]?: GobType })[GO_WIRE_TYPE] ?? undefined)
    : undefined;
}

/** Go exports a field whose name starts with an upper-case letter; gob sends only those. */
const EXPORTED_NAME = /^\p{Lu}[\p{L}\p{Nd}_]*$/u;
const TYPE_NAME = /^(?:[\p{L}_][\p{L}\p{Nd}_]*\.)?[\p{L}_][\p{L}\p{Nd}_]*$/u;

export function isExportedName(name: string): boolean {
  return EXPORTED_NAME.test(name);
}

const BYTES: GobBytesType = Object.freeze({ kind: 'bytes' });

function intType(goName: GobIntName): GobIntType {
  return Object.freeze({ kind: 'int', goName });
}
function uintType(goName: GobUintName): GobUintType {
  return Object.freeze({ kind: 'uint', goName });
}
function floatType(goName: GobFloatName): GobFloatType {
  return Object.freeze({ kind: 'float', goName });
}

/** `[]uint8` is `[]byte` in Go, which gob sends as bytes: gob.slice(gob.uint8) is gob.bytes. */
function slice(elem: GobType): GobSliceType | GobBytesType {
  if (elem.kind === 'uint' && elem.goName === 'uint8') return BYTES;
  return Object.freeze({ kind: 'slice', elem });
}

function array(elem: GobType, length: number): GobArrayType {
  if (!Number.isSafeInteger(length) || length < 0) {
    throw new GobInvalidTypeError(`array length must be a non-negative integer, got ${length}`);
  }
  return Object.freeze({ kind: 'array', elem, length });
}

/** Go map keys must be comparable: no slices, maps or []byte. */
function map(key: GobType, elem: GobType): GobMapType {
  if (key.kind === 'slice' || key.kind === 'map' || key.kind === 'bytes') {
    throw new GobInvalidTypeError(`a Go map key cannot be a ${key.kind}`);
  }
  return Object.freeze({ kind: 'map', key, elem });
}

function struct(
  nameOrFields: string | Record<string, GobType>,
  fields?: Record<string, GobType>,
): GobStructType {
  const name = typeof nameOrFields === 'string' ? nameOrFields : '';
  const fieldTypes = typeof nameOrFields === 'string' ? (fields ?? {}) : nameOrFields;
  if (name !== '' && !TYPE_NAME.test(name)) {
    throw new GobInvalidTypeError(`struct name "${name}" is not a Go type name`);
  }
  const list: GobStructField[] = [];
  for (const [fieldName, type] of Object.entries(fieldTypes)) {
    list.push(Object.freeze({ name: fieldName, type }));
  }
  return structFromFields(name, list);
}

/** Validates field names: gob would silently drop a field Go does not export, so refuse it here. */
export function structFromFields(name: string, fields: readonly GobStructField[]): GobStructType {
  const seen = new Set<string>();
  for (const field of fields) {
    if (!isExportedName(field.name)) {
      throw new GobInvalidTypeError(
        `struct ${name || '{...}'} field "${field.name}" is not an exported Go name (an upper-case letter, then letters, digits or _)`,
      );
    }
    if (seen.has(field.name)) throw new GobInvalidTypeError(`struct ${name} has two fields "${field.name}"`);
    seen.add(field.name);
  }
  return Object.freeze({ kind: 'struct', name, fields: Object.freeze([...fields]) });
}

/**
 * Builds Go types for what inference gets wrong:
 * `gob.struct('Args', { Num1: gob.int, Num2: gob.int32, Items: gob.slice(gob.string) })`.
 */
export const gob = Object.freeze({
  bool: Object.freeze({ kind: 'bool' }) as GobBoolType,
  int: intType('int'),
  int8: intType('int8'),
  int16: intType('int16'),
  int32: intType('int32'),
  int64: intType('int64'),
  uint: uintType('uint'),
  uint8: uintType('uint8'),
  uint16: uintType('uint16'),
  uint32: uintType('uint32'),
  uint64: uintType('uint64'),
  float32: floatType('float32'),
  float64: floatType('float64'),
  string: Object.freeze({ kind: 'string' }) as GobStringType,
  bytes: BYTES,
  slice,
  array,
  map,
  struct,
  /** Marks `value` to be sent as `type`, inside a value whose other parts are inferred. */
  typed(type: GobType, value: unknown): GobTypedValue {
    return new GobTypedValue(type, value);
  },
});
