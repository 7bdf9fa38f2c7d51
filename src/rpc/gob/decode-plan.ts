import { DecodeFailure, type GobReader } from './primitives.ts';
import { GO_WIRE_TYPE, type GobType, gob, structFromFields } from './type-hints.ts';
import {
  BOOL_ID,
  BYTES_ID,
  COMPLEX_ID,
  FLOAT_ID,
  INT_ID,
  INTERFACE_ID,
  readWireType,
  STRING_ID,
  UINT_ID,
  type WireType,
} from './wire-types.ts';

type DecodeFn = (r: GobReader) => unknown;
type ZeroFn = () => unknown;

/** The Go types gob's built-in ids stand for: the widest of each kind, which every value fits. */
const BUILTIN_GO_TYPES = new Map<number, GobType>([
  [BOOL_ID, gob.bool],
  [INT_ID, gob.int64],
  [UINT_ID, gob.uint64],
  [FLOAT_ID, gob.float64],
  [BYTES_ID, gob.bytes],
  [STRING_ID, gob.string],
]);

/**
 * Whether inference gives values of `type`, as decoded, the same wire type: ints, strings, bools,
 * bytes, and structs of those (a nil struct, null, is left out either way). Unsigned ints,
 * floats (3.0 decodes as 3), slices (one may be empty), arrays and maps do not.
 */
function inferredAlike(type: GobType): boolean {
  switch (type.kind) {
    case 'int':
    case 'string':
    case 'bool':
    case 'bytes':
      return true;
    case 'struct':
      return type.fields.every((field) => inferredAlike(field.type));
    default:
      return false;
  }
}

/** A type definition a message carries inside an interface value; `bytes` for the decoder's budget. */
export interface InlineDefinition {
  readonly negativeId: number | bigint;
  readonly wire: WireType;
  readonly bytes: number;
}

/**
 * A non-nil interface value: not decoded, so its message fails (one call). The definitions of
 * its concrete type, which Go sends inside it, are read first: later messages may use them, and
 * the decoder defines them, so the stream goes on.
 */
export class InterfaceValueFound extends DecodeFailure {
  constructor(
    readonly concreteType: string,
    readonly definitions: readonly InlineDefinition[],
    /** The value goes on in the next value message, which is to be passed over. */
    readonly continues: boolean,
  ) {
    super(
      `an interface value (concrete type ${JSON.stringify(concreteType)}); interface values are not supported`,
    );
  }
}

/** Adds a step (`.Name`, `[3]`) in front of the path of a failure thrown below it. */
function within(error: unknown, step: string): unknown {
  if (error instanceof DecodeFailure) error.path = step + error.path;
  return error;
}

/** Sets a property of a decoded object; a sender's "__proto__" must not replace its prototype. */
function setProperty(target: Record<string, unknown>, name: string, value: unknown): void {
  if (name === '__proto__') {
    Object.defineProperty(target, name, { value, enumerable: true, writable: true, configurable: true });
  } else {
    target[name] = value;
  }
}

function assign(target: Record<string, unknown>, name: string, value: unknown): void {
  target[name] = value;
}

const decodeBool: DecodeFn = (r) => r.readUint() !== 0;
const decodeInt: DecodeFn = (r) => r.readInt();
const decodeUint: DecodeFn = (r) => r.readUint();
const decodeFloat: DecodeFn = (r) => r.readFloat();
const decodeBytes: DecodeFn = (r) => r.readBytes();
const decodeString: DecodeFn = (r) => r.readString();
const decodeInterface: DecodeFn = (r) => {
  const name = r.readString();
  // A nil interface is sent as an empty name and nothing else.
  if (name === '') return null;
  // Go's decodeTypeSequence: type definitions, each but the last followed by the byte count of
  // what comes next, until the concrete type's id.
  // Go writes a new concrete type's definition as a message of its own in the middle of the
  // value: the value then goes on in the next value message.
  const definitions: InlineDefinition[] = [];
  for (let id = r.readInt(); id < 0; id = r.readInt()) {
    const before = r.remaining;
    definitions.push({ negativeId: id, wire: readWireType(r), bytes: before - r.remaining });
    if (r.remaining === 0) throw new InterfaceValueFound(name, definitions, true);
    r.readUint();
  }
  throw new InterfaceValueFound(name, definitions, false);
};

const MARSHALER_METHODS = {
  gobEncoder: 'GobEncode',
  binaryMarshaler: 'MarshalBinary',
  textMarshaler: 'MarshalText',
} as const;

/**
 * A value Go sent as the bytes its own marshaling method made: only that Go type can read them,
 * so its message fails (one call) rather than hand on bytes that look like a value.
 */
function refuseMarshaled(kind: keyof typeof MARSHALER_METHODS, name: string): DecodeFn {
  // Go names the type only when it is not a pointer (a field `*T` sends an empty name).
  const type = name === '' ? 'a Go type' : `Go type ${JSON.stringify(name)}`;
  const reason = `a value of ${type} that marshals itself, sent as the bytes of its ${MARSHALER_METHODS[kind]} method; such values are not supported`;
  return () => {
    throw new DecodeFailure(reason);
  };
}

const BUILTIN_DECODERS = new Map<number, DecodeFn>([
  [BOOL_ID, decodeBool],
  [INT_ID, decodeInt],
  [UINT_ID, decodeUint],
  [FLOAT_ID, decodeFloat],
  [BYTES_ID, decodeBytes],
  [STRING_ID, decodeString],
  [INTERFACE_ID, decodeInterface],
]);

const BUILTIN_ZEROS = new Map<number, ZeroFn>([
  [BOOL_ID, () => false],
  [INT_ID, () => 0],
  [UINT_ID, () => 0],
  [FLOAT_ID, () => 0],
  [BYTES_ID, () => Buffer.alloc(0)],
  [STRING_ID, () => ''],
  [INTERFACE_ID, () => null],
  [COMPLEX_ID, () => null],
]);

const refuseComplex: DecodeFn = () => {
  throw new DecodeFailure('complex numbers are not supported');
};

/**
 * The types one stream has defined, and the decoders built from them. gob is self-describing:
 * a value is read by its sender's type, so Go values become plain JavaScript values (see
 * GobDecoder) without any type on this side.
 */
export class DecodePlans {
  readonly #wire = new Map<number, WireType>();
  readonly #decoders = new Map<number, DecodeFn>(BUILTIN_DECODERS);
  readonly #zeros = new Map<number, ZeroFn>(BUILTIN_ZEROS);
  /** The elements each zero maker makes, charged to the message's budget before it runs. */
  readonly #zeroSizes = new Map<number, number>();
  /** Top-level decoders by type id, once built: a connection sends values of a few types over and over. */
  readonly #topLevel = new Map<number, DecodeFn>();
  /** Structs whose zero value is being built: a struct inside itself (a Go pointer) is null. */
  readonly #zeroInProgress = new Set<number>();
  /** The Go type of each id, for values to carry (see GO_WIRE_TYPE); null where none can be said. */
  readonly #goTypes = new Map<number, GobType | null>();
  /**
   * Whether the value being decoded keeps its Go type (see GO_WIRE_TYPE). Marking costs a few
   * hundred ns per marked object, so a caller that never sends a value back (the RPC header)
   * turns it off, and values that inference would type alike are never marked.
   */
  keepGoTypes = true;

  isDefined(id: number): boolean {
    return this.#wire.has(id);
  }

  /**
   * Remembers a definition. An array holding itself (`A = [1]A`, or through other arrays) has no
   * finite zero value: refused here, when it is defined, so that no value can make one.
   */
  define(id: number, wire: WireType): void {
    if (wire.kind === 'array') {
      let inner: WireType | undefined = wire;
      for (let steps = 0; inner?.kind === 'array'; steps++) {
        if (inner.elem === id || steps > this.#wire.size) {
          throw new DecodeFailure(`array type ${id} holds itself: it has no finite zero value`);
        }
        inner = this.#wire.get(inner.elem);
      }
    }
    this.#wire.set(id, wire);
  }

  /** Decodes a top-level value of type `id`; throws DecodeFailure. */
  decodeValue(id: number, r: GobReader): unknown {
    let decode = this.#topLevel.get(id);
    if (decode === undefined) {
      decode = this.#buildTopLevel(id);
      this.#topLevel.set(id, decode);
    }
    return decode(r);
  }

  #buildTopLevel(id: number): DecodeFn {
    const wire = this.#wire.get(id);
    const decode = this.#decoder(id);
    const root = wire?.kind === 'struct' && wire.name !== '' ? wire.name : 'value';
    const single = wire?.kind !== 'struct';
    return (r) => {
      try {
        // A value that is not a struct is sent as a struct of one field: delta 0, then the value.
        if (single && r.readUint() !== 0) {
          throw new DecodeFailure('a value that is not a struct must start with field delta 0');
        }
        return decode(r);
      } catch (error) {
        if (error instanceof DecodeFailure) error.path = root + error.path;
        throw error;
      }
    };
  }

  /**
   * The Go type values of type `id` arrive as, for them to carry (see GO_WIRE_TYPE); undefined
   * for what cannot be sent again as it came: interfaces, GobEncoders, recursive types.
   */
  goType(id: number): GobType | undefined {
    const builtin = BUILTIN_GO_TYPES.get(id);
    if (builtin !== undefined) return builtin;
    const known = this.#goTypes.get(id);
    if (known !== undefined) return known ?? undefined;
    // null while being built: a type inside itself has no tree form, so neither has its holder.
    this.#goTypes.set(id, null);
    const type = this.#buildGoType(id);
    if (type !== undefined) this.#goTypes.set(id, type);
    return type;
  }

  #buildGoType(id: number): GobType | undefined {
    const wire = this.#wire.get(id);
    try {
      switch (wire?.kind) {
        case 'struct': {
          const fields = [];
          for (const field of wire.fields) {
            const type = this.goType(field.id);
            if (type === undefined) return undefined;
            fields.push({ name: field.name, type });
          }
          return structFromFields(wire.name, fields);
        }
        case 'slice': {
          const elem = this.goType(wire.elem);
          return elem === undefined ? undefined : gob.slice(elem);
        }
        case 'array': {
          const elem = this.goType(wire.elem);
          return elem === undefined ? undefined : gob.array(elem, wire.length);
        }
        case 'map': {
          const key = this.goType(wire.key);
          const elem = this.goType(wire.elem);
          return key === undefined || elem === undefined ? undefined : gob.map(key, elem);
        }
        default:
          return undefined;
      }
    } catch {
      // A sender's name or field that gob.struct() refuses: the value is then inferred when sent.
      return undefined;
    }
  }

  /** Marks a value with the Go type it arrived as, when it needs it (see keepGoTypes). */
  #marker(id: number): (<T extends object>(value: T) => T) | undefined {
    const type = this.goType(id);
    if (type === undefined || inferredAlike(type)) return undefined;
    const descriptor: PropertyDescriptor = { value: type };
    return (value) => (this.keepGoTypes ? Object.defineProperty(value, GO_WIRE_TYPE, descriptor) : value);
  }

  #decoder(id: number): DecodeFn {
    const known = this.#decoders.get(id);
    if (known !== undefined) return known;
    // Refused only when one is sent: a complex field left out (zero) is null, as Go sends no zero.
    if (id === COMPLEX_ID) return refuseComplex;
    const wire = this.#wire.get(id);
    if (wire === undefined) throw new DecodeFailure(`type id ${id} is not defined on this stream`);
    // Registered before the parts are built, so that a recursive type finds itself.
    let decode: DecodeFn = () => {
      throw new DecodeFailure(`type id ${id} is still being built`);
    };
    this.#decoders.set(id, (r) => decode(r));
    try {
      decode = this.#build(id, wire);
    } catch (error) {
      this.#decoders.delete(id);
      throw error;
    }
    return decode;
  }

  #build(id: number, wire: WireType): DecodeFn {
    const mark = wire.kind === 'struct' ? undefined : this.#marker(id);
    switch (wire.kind) {
      case 'struct':
        return this.#buildStruct(
          id,
          wire.fields.map((field) => field.name),
          wire.fields.map((field) => field.id),
        );
      case 'slice': {
        const elem = this.#decoder(wire.elem);
        if (mark !== undefined) return (r) => mark(decodeElements(r, elem, -1));
        return (r) => decodeElements(r, elem, -1);
      }
      case 'array': {
        const elem = this.#decoder(wire.elem);
        if (mark !== undefined) return (r) => mark(decodeElements(r, elem, wire.length));
        return (r) => decodeElements(r, elem, wire.length);
      }
      case 'map': {
        const key = this.#decoder(wire.key);
        const elem = this.#decoder(wire.elem);
        const decode: DecodeFn =
          wire.key === STRING_ID ? (r) => decodeObjectMap(r, elem) : (r) => decodeMap(r, key, elem);
        if (mark !== undefined) return (r) => mark(decode(r) as object);
        return decode;
      }
      default:
        return refuseMarshaled(wire.kind, wire.name);
    }
  }

  #buildStruct(ownId: number, names: readonly string[], ids: readonly number[]): DecodeFn {
    const decoders = ids.map((id) => this.#decoder(id));
    const count = names.length;
    // Zero makers are built on first need: a field's type may be defined after this struct.
    let zeros: ZeroFn[] | undefined;
    let zeroSizes: number[] | undefined;
    // Plain assignment, unless a sender's field name would replace the object's prototype.
    const put = names.includes('__proto__') ? setProperty : assign;
    // Built on first need too: the Go type of a field may be defined after this struct.
    let mark: ((value: Record<string, unknown>) => Record<string, unknown>) | undefined | null;
    return (r) => {
      zeros ??= ids.map((id) => this.#fieldZero(id, ownId));
      zeroSizes ??= ids.map((id) => this.#fieldZeroSize(id, ownId));
      // Every field is made, sent or zero: the struct pays for all of them up front.
      r.spend(count);
      if (mark === undefined) mark = this.#marker(ownId) ?? null;
      const value: Record<string, unknown> = mark === null ? {} : mark({});
      let next = 0;
      let field = -1;
      for (;;) {
        const delta = r.readUint();
        if (delta === 0) break;
        if (typeof delta !== 'number' || field + delta >= count) {
          throw new DecodeFailure(
            `field number ${String(BigInt(field) + BigInt(delta))} out of range (${count} fields)`,
          );
        }
        field += delta;
        // The fields left out were zero: fill them in, as a Go variable would hold them.
        for (; next < field; next++) {
          r.spend(zeroSizes[next]!);
          put(value, names[next]!, zeros[next]!());
        }
        try {
          put(value, names[field]!, decoders[field]!(r));
        } catch (error) {
          throw within(error, `.${names[field]}`);
        }
        next = field + 1;
      }
      for (; next < count; next++) {
        r.spend(zeroSizes[next]!);
        put(value, names[next]!, zeros[next]!());
      }
      return value;
    };
  }

  /**
   * The zero value of a field of type `id` in struct `ownerId`, left out by the sender. A field holding its own struct
   * (or an array of it) can only be a pointer in Go, which stays nil: null.
   */
  #fieldZero(id: number, ownerId: number): ZeroFn {
    // Go sends a struct field that is not a pointer even when it is zero, and a map that is not
    // nil even when empty: a struct or map field left out was nil, and stays nil (null).
    // A type that marshals itself is left out when zero: null too, as its bytes would be refused.
    const kind = this.#wire.get(id)?.kind;
    if (kind !== undefined && kind !== 'array' && kind !== 'slice') return () => null;
    let innerId = id;
    for (let inner = this.#wire.get(innerId); inner?.kind === 'array'; inner = this.#wire.get(innerId)) {
      innerId = inner.elem;
    }
    if (innerId === ownerId) return () => null;
    return this.#zero(id);
  }

  /** The elements #fieldZero(id, ownerId) makes. */
  #fieldZeroSize(id: number, ownerId: number): number {
    const kind = this.#wire.get(id)?.kind;
    if (kind !== undefined && kind !== 'array' && kind !== 'slice') return 0;
    let innerId = id;
    for (let inner = this.#wire.get(innerId); inner?.kind === 'array'; inner = this.#wire.get(innerId)) {
      innerId = inner.elem;
    }
    if (innerId === ownerId) return 0;
    this.#zero(id);
    return this.#zeroSizes.get(id) ?? 0;
  }

  /** A function making the zero value of type `id`, fresh each time (callers may mutate it). */
  #zero(id: number): ZeroFn {
    const known = this.#zeros.get(id);
    if (known !== undefined) return known;
    if (this.#zeroInProgress.has(id)) return () => null;
    const wire = this.#wire.get(id);
    if (wire === undefined) throw new DecodeFailure(`type id ${id} is not defined on this stream`);
    let zero: ZeroFn;
    let size = 0;
    switch (wire.kind) {
      case 'struct': {
        this.#zeroInProgress.add(id);
        try {
          const names = wire.fields.map((field) => field.name);
          const makers = wire.fields.map((field) => this.#fieldZero(field.id, id));
          size = names.length;
          for (const field of wire.fields) size += this.#fieldZeroSize(field.id, id);
          zero = () => {
            const value: Record<string, unknown> = {};
            for (let i = 0; i < names.length; i++) setProperty(value, names[i]!, makers[i]!());
            return value;
          };
        } finally {
          this.#zeroInProgress.delete(id);
        }
        break;
      }
      case 'array': {
        const elem = this.#zero(wire.elem);
        const length = wire.length;
        size = length * (1 + (this.#zeroSizes.get(wire.elem) ?? 0));
        zero = () => Array.from({ length }, elem);
        break;
      }
      case 'slice':
      case 'map': {
        const empty: () => object =
          wire.kind === 'map' && wire.key !== STRING_ID
            ? () => new Map()
            : wire.kind === 'map'
              ? () => ({})
              : () => [];
        const mark = this.#marker(id);
        zero = mark === undefined ? empty : () => mark(empty());
        break;
      }
      default:
        zero = () => Buffer.alloc(0);
    }
    this.#zeros.set(id, zero);
    this.#zeroSizes.set(id, size);
    return zero;
  }
}

function decodeElements(r: GobReader, elem: DecodeFn, length: number): unknown[] {
  const count = r.readCount('element');
  r.spend(count);
  if (length >= 0 && count !== length) {
    throw new DecodeFailure(`array of ${length} elements arrived with ${count}`);
  }
  const values = new Array<unknown>(count);
  let i = 0;
  try {
    for (; i < count; i++) values[i] = elem(r);
  } catch (error) {
    throw within(error, `[${i}]`);
  }
  return values;
}

/** A map keyed by strings becomes a plain object. */
function decodeObjectMap(r: GobReader, elem: DecodeFn): Record<string, unknown> {
  const count = r.readCount('map entry');
  r.spend(count);
  const values: Record<string, unknown> = {};
  for (let i = 0; i < count; i++) {
    const key = r.readString();
    try {
      setProperty(values, key, elem(r));
    } catch (error) {
      throw within(error, `[${JSON.stringify(key)}]`);
    }
  }
  return values;
}

function decodeMap(r: GobReader, keyDecoder: DecodeFn, elem: DecodeFn): Map<unknown, unknown> {
  const count = r.readCount('map entry');
  r.spend(count);
  const values = new Map<unknown, unknown>();
  for (let i = 0; i < count; i++) {
    let key: unknown;
    try {
      key = keyDecoder(r);
      values.set(key, elem(r));
    } catch (error) {
      throw within(error, key === undefined ? `{key ${i}}` : `[${String(key)}]`);
    }
  }
  return values;
}
