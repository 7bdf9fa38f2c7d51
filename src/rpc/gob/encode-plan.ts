import { GobInvalidTypeError, GobValueError } from './errors.ts';
import { type GobWriter, INT64_MAX, INT64_MIN, UINT64_MAX } from './primitives.ts';
import { type GobType, GobTypedValue, isExportedName } from './type-hints.ts';
import { goTypeKey, goTypeName, goTypeString } from './type-names.ts';
import { BOOL_ID, BYTES_ID, FLOAT_ID, INT_ID, STRING_ID, UINT_ID } from './wire-types.ts';

/**
 * A GobType compiled once into the functions that write its values, so that a type used for
 * every call (the RPC header) costs a cache lookup, not a walk of its description.
 */
export interface EncodePlan {
  readonly type: GobType;
  /** Identifies the Go type; see goTypeKey(). */
  readonly key: string;
  /** Go's reflect Name() and String(): gob names types with them. */
  readonly goName: string;
  readonly goString: string;
  /** The predefined id of a basic type, 0 for a type that must be defined on the stream. */
  readonly builtinId: number;
  /** The plans of the types this one contains, in the order Go defines them. */
  readonly children: readonly EncodePlan[];
  /**
   * Writes `value` as gob sends it where zero values are sent too (slice and map elements, a
   * top-level value). null and undefined stand for Go's nil/zero value. Throws a PathProblem.
   */
  write(w: GobWriter, value: unknown): void;
  /** True when, as a struct field, the value is one gob omits: nil, or a zero it does not send. */
  omits(value: unknown): boolean;
}

/** A value that failed, with the path to it built up as the problem unwinds. */
export class PathProblem extends Error {
  path = '';
  constructor(readonly reason: string) {
    super(reason);
  }
}

/** Adds a step (`.Name`, `[3]`) in front of the path of a problem thrown below it. */
function within(error: unknown, step: string): unknown {
  if (error instanceof PathProblem) error.path = step + error.path;
  return error;
}

/** Turns a problem into the error users see, rooted at the top-level type's name. */
export function toValueError(error: unknown, root: string): unknown {
  return error instanceof PathProblem ? new GobValueError(root + error.path, error.reason) : error;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Uint8Array) return 'a byte array';
  if (value instanceof Map) return 'a Map';
  switch (typeof value) {
    case 'string':
      return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value)}`;
    case 'number':
    case 'bigint':
    case 'boolean':
      return `${typeof value} ${String(value)}${typeof value === 'bigint' ? 'n' : ''}`;
    case 'object':
      return 'an object';
    default:
      return `a ${typeof value}`;
  }
}

const planCache = new WeakMap<GobType, EncodePlan>();
/** Inferred types are new objects every time: share their plans by Go type. */
const plansByKey = new Map<string, EncodePlan>();
const MAX_PLANS_BY_KEY = 1024;

/** The plan of `type`, compiled on first use and cached for as long as `type` lives. */
export function compilePlan(type: GobType): EncodePlan {
  let plan = planCache.get(type);
  if (plan !== undefined) return plan;
  const key = goTypeKey(type);
  plan = plansByKey.get(key);
  if (plan === undefined) {
    plan = buildPlan(type, key);
    if (plansByKey.size >= MAX_PLANS_BY_KEY) plansByKey.clear();
    plansByKey.set(key, plan);
  }
  planCache.set(type, plan);
  return plan;
}

/** Takes the value out of a GobTypedValue, which must name the type expected at its place. */
function unwrap(plan: EncodePlan, value: unknown): unknown {
  let inner = value;
  while (inner instanceof GobTypedValue) {
    const typed = compilePlan(inner.type);
    if (typed.key !== plan.key) {
      throw new PathProblem(`typed as ${typed.goString} where ${plan.goString} is expected`);
    }
    inner = inner.value;
  }
  return inner;
}

function buildPlan(type: GobType, key: string): EncodePlan {
  const base = { type, key, goName: goTypeName(type), goString: goTypeString(type) };
  switch (type.kind) {
    case 'bool':
      return { ...base, builtinId: BOOL_ID, children: [], write: writeBool, omits: (v) => v === false };
    case 'int':
      return { ...base, builtinId: INT_ID, children: [], write: intWriter(type.goName), omits: isZeroNumber };
    case 'uint':
      return {
        ...base,
        builtinId: UINT_ID,
        children: [],
        write: uintWriter(type.goName),
        omits: isZeroNumber,
      };
    case 'float':
      return {
        ...base,
        builtinId: FLOAT_ID,
        children: [],
        write: type.goName === 'float32' ? writeFloat32 : writeFloat64,
        // -0 too: Go's `x != 0` test drops it.
        omits: (v) => v === 0,
      };
    case 'string':
      return { ...base, builtinId: STRING_ID, children: [], write: writeString, omits: (v) => v === '' };
    case 'bytes':
      return {
        ...base,
        builtinId: BYTES_ID,
        children: [],
        write: writeBytes,
        omits: (v) => (v instanceof Uint8Array || Array.isArray(v)) && v.length === 0,
      };
    case 'slice': {
      const elem = compilePlan(type.elem);
      return {
        ...base,
        builtinId: 0,
        children: [elem],
        write: (w, value) => writeElements(w, elem, value, -1),
        omits: (v) => Array.isArray(v) && v.length === 0,
      };
    }
    case 'array': {
      const elem = compilePlan(type.elem);
      return {
        ...base,
        builtinId: 0,
        children: [elem],
        write: (w, value) => writeElements(w, elem, value, type.length),
        // Go sends arrays even when all their elements are zero.
        omits: () => false,
      };
    }
    case 'map': {
      if (type.key.kind === 'slice' || type.key.kind === 'map' || type.key.kind === 'bytes') {
        throw new GobInvalidTypeError(`a Go map key cannot be a ${type.key.kind}`);
      }
      const keyPlan = compilePlan(type.key);
      const elem = compilePlan(type.elem);
      return {
        ...base,
        builtinId: 0,
        children: [keyPlan, elem],
        write: (w, value) => writeMap(w, keyPlan, elem, value),
        // Go sends an empty map that is not nil: only null and undefined (nil) are left out.
        omits: () => false,
      };
    }
    case 'struct':
      return buildStructPlan(type, base);
    default:
      throw new GobInvalidTypeError(`unknown kind ${JSON.stringify((type as { kind?: unknown }).kind)}`);
  }
}

function buildStructPlan(
  type: Extract<GobType, { kind: 'struct' }>,
  base: Pick<EncodePlan, 'type' | 'key' | 'goName' | 'goString'>,
): EncodePlan {
  const names = new Set<string>();
  for (const field of type.fields) {
    if (!isExportedName(field.name)) {
      throw new GobInvalidTypeError(
        `struct ${base.goString} field "${field.name}" is not an exported Go name`,
      );
    }
    if (names.has(field.name))
      throw new GobInvalidTypeError(`struct ${base.goString} has two fields "${field.name}"`);
    names.add(field.name);
  }
  const fieldNames = type.fields.map((field) => field.name);
  const fieldPlans = type.fields.map((field) => compilePlan(field.type));
  const write = (w: GobWriter, value: unknown): void => {
    if (value === null || value === undefined) {
      w.writeByte(0);
      return;
    }
    if (
      typeof value !== 'object' ||
      Array.isArray(value) ||
      value instanceof Map ||
      value instanceof Uint8Array
    ) {
      throw new PathProblem(`expected an object for struct ${base.goString}, got ${describe(value)}`);
    }
    const record = value as Record<string, unknown>;
    for (const property in record) {
      // null and undefined are nil: inference leaves such properties out of the struct.
      if (!names.has(property) && record[property] !== undefined && record[property] !== null) {
        throw within(new PathProblem(`not a field of struct ${base.goString}`), `.${property}`);
      }
    }
    // Fields go in order, each as the delta from the previous field number sent; -1 to start.
    let last = -1;
    let i = 0;
    try {
      for (; i < fieldPlans.length; i++) {
        const plan = fieldPlans[i]!;
        let field = record[fieldNames[i]!];
        if (field instanceof GobTypedValue) field = unwrap(plan, field);
        if (field === undefined || field === null || plan.omits(field)) continue;
        w.writeUint(i - last);
        plan.write(w, field);
        last = i;
      }
    } catch (error) {
      throw within(error, `.${fieldNames[i]}`);
    }
    w.writeByte(0);
  };
  return { ...base, builtinId: 0, children: fieldPlans, write, omits: () => false };
}

function writeElements(w: GobWriter, elem: EncodePlan, value: unknown, length: number): void {
  if (value === null || value === undefined) {
    w.writeUint(Math.max(length, 0));
    for (let i = 0; i < length; i++) elem.write(w, undefined);
    return;
  }
  if (!Array.isArray(value)) throw new PathProblem(`expected an array, got ${describe(value)}`);
  if (length >= 0 && value.length !== length) {
    throw new PathProblem(`expected an array of ${length} elements, got ${value.length}`);
  }
  w.writeUint(value.length);
  let i = 0;
  try {
    for (; i < value.length; i++) elem.write(w, unwrap(elem, value[i]));
  } catch (error) {
    throw within(error, `[${i}]`);
  }
}

function writeMap(w: GobWriter, keyPlan: EncodePlan, elem: EncodePlan, value: unknown): void {
  if (value === null || value === undefined) {
    w.writeUint(0);
    return;
  }
  if (value instanceof Map) {
    w.writeUint(value.size);
    for (const [key, entry] of value) {
      try {
        keyPlan.write(w, unwrap(keyPlan, key));
        elem.write(w, unwrap(elem, entry));
      } catch (error) {
        throw within(error, `[${typeof key === 'string' ? JSON.stringify(key) : String(key)}]`);
      }
    }
    return;
  }
  if (keyPlan.type.kind !== 'string' || typeof value !== 'object' || Array.isArray(value)) {
    const want = keyPlan.type.kind === 'string' ? 'a Map or an object' : 'a Map';
    throw new PathProblem(
      `expected ${want} for ${keyPlan.goString === 'string' ? 'map[string]' : 'a map'}, got ${describe(value)}`,
    );
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  w.writeUint(keys.length);
  for (const key of keys) {
    try {
      w.writeString(key);
      elem.write(w, unwrap(elem, record[key]));
    } catch (error) {
      throw within(error, `[${JSON.stringify(key)}]`);
    }
  }
}

function isZeroNumber(value: unknown): boolean {
  return value === 0 || value === 0n;
}

function writeBool(w: GobWriter, value: unknown): void {
  if (value === null || value === undefined) w.writeByte(0);
  else if (typeof value === 'boolean') w.writeByte(value ? 1 : 0);
  else throw new PathProblem(`expected a boolean for bool, got ${describe(value)}`);
}

const INT_BITS = { int: 64, int8: 8, int16: 16, int32: 32, int64: 64 } as const;
const UINT_BITS = { uint: 64, uint8: 8, uint16: 16, uint32: 32, uint64: 64 } as const;

function intWriter(goName: keyof typeof INT_BITS): (w: GobWriter, value: unknown) => void {
  const bits = INT_BITS[goName];
  const min = bits === 64 ? INT64_MIN : -(1n << BigInt(bits - 1));
  const max = bits === 64 ? INT64_MAX : (1n << BigInt(bits - 1)) - 1n;
  const minNumber = Number(min);
  // 2^63 is a double but not an int64: the upper bound for numbers is exclusive.
  const maxNumberExclusive = Number(max) + 1;
  return (w, value) => {
    if (typeof value === 'number') {
      if (!Number.isInteger(value))
        throw new PathProblem(`${goName} needs an integer, got ${describe(value)}`);
      if (value < minNumber || value >= maxNumberExclusive) {
        throw new PathProblem(`${describe(value)} is out of range for ${goName} (${min} to ${max})`);
      }
      w.writeInt(value);
    } else if (typeof value === 'bigint') {
      if (value < min || value > max) {
        throw new PathProblem(`${describe(value)} is out of range for ${goName} (${min} to ${max})`);
      }
      w.writeBigInt(value);
    } else if (value === null || value === undefined) {
      w.writeByte(0);
    } else {
      throw new PathProblem(`expected a number or bigint for ${goName}, got ${describe(value)}`);
    }
  };
}

function uintWriter(goName: keyof typeof UINT_BITS): (w: GobWriter, value: unknown) => void {
  const bits = UINT_BITS[goName];
  const max = bits === 64 ? UINT64_MAX : (1n << BigInt(bits)) - 1n;
  const maxNumberExclusive = Number(max) + 1;
  return (w, value) => {
    if (typeof value === 'number') {
      if (!Number.isInteger(value))
        throw new PathProblem(`${goName} needs an integer, got ${describe(value)}`);
      if (value < 0) throw new PathProblem(`${goName} cannot hold the negative ${describe(value)}`);
      if (value >= maxNumberExclusive) {
        throw new PathProblem(`${describe(value)} is out of range for ${goName} (0 to ${max})`);
      }
      if (Number.isSafeInteger(value)) w.writeUint(value);
      else w.writeBigUint(BigInt(value));
    } else if (typeof value === 'bigint') {
      if (value < 0n) throw new PathProblem(`${goName} cannot hold the negative ${describe(value)}`);
      if (value > max)
        throw new PathProblem(`${describe(value)} is out of range for ${goName} (0 to ${max})`);
      w.writeBigUint(value);
    } else if (value === null || value === undefined) {
      w.writeByte(0);
    } else {
      throw new PathProblem(`expected a number or bigint for ${goName}, got ${describe(value)}`);
    }
  };
}

function writeFloat64(w: GobWriter, value: unknown): void {
  if (typeof value === 'number') w.writeFloat(value);
  else if (value === null || value === undefined) w.writeByte(0);
  else throw new PathProblem(`expected a number for float64, got ${describe(value)}`);
}

/** Go would hold a float32: round to the nearest one, as the conversion in Go does. */
function writeFloat32(w: GobWriter, value: unknown): void {
  if (typeof value === 'number') {
    const rounded = Math.fround(value);
    if (Number.isFinite(value) && !Number.isFinite(rounded)) {
      throw new PathProblem(`${describe(value)} is out of range for float32`);
    }
    w.writeFloat(rounded);
  } else if (value === null || value === undefined) {
    w.writeByte(0);
  } else {
    throw new PathProblem(`expected a number for float32, got ${describe(value)}`);
  }
}

function writeString(w: GobWriter, value: unknown): void {
  if (typeof value === 'string') w.writeString(value);
  else if (value === null || value === undefined) w.writeByte(0);
  else throw new PathProblem(`expected a string, got ${describe(value)}`);
}

function writeBytes(w: GobWriter, value: unknown): void {
  if (value instanceof Uint8Array) w.writeBytes(value);
  else if (value === null || value === undefined) w.writeByte(0);
  else if (Array.isArray(value)) w.writeBytes(byteArray(value));
  else
    throw new PathProblem(
      `expected a Uint8Array, Buffer or array of bytes for []byte, got ${describe(value)}`,
    );
}

/** An array of numbers for `[]byte` (`[]uint8` in Go): each must be an integer 0 to 255. */
function byteArray(value: readonly unknown[]): Uint8Array {
  const bytes = new Uint8Array(value.length);
  for (let i = 0; i < value.length; i++) {
    const byte = value[i];
    if (typeof byte !== 'number' || !Number.isInteger(byte) || byte < 0 || byte > 255) {
      throw within(new PathProblem(`expected a byte (an integer 0 to 255), got ${describe(byte)}`), `[${i}]`);
    }
    bytes[i] = byte;
  }
  return bytes;
}

/**
 * Writes a top-level value after its type id: a struct as itself; any other type as a struct of
 * one field (delta 0, then the value, zero included), as Go's encodeSingle does.
 */
export function writeTopLevel(w: GobWriter, plan: EncodePlan, value: unknown): void {
  const root = plan.type.kind === 'struct' && plan.goName !== '' ? plan.goName : 'value';
  try {
    const inner = unwrap(plan, value);
    if (plan.type.kind !== 'struct') w.writeByte(0);
    plan.write(w, inner);
  } catch (error) {
    throw toValueError(error, root);
  }
}

/**
 * Checks `type` and compiles how its values are written, now rather than at the first encode;
 * the result is cached with the type object, so define hints once (module constants) and reuse
 * them. Returns `type`. Throws GobInvalidTypeError.
 */
export function compileGobType<T extends GobType>(type: T): T {
  compilePlan(type);
  return type;
}
