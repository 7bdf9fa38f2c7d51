import { DecodeFailure, type GobReader } from './primitives.ts';
import {
  BOOL_ID,
  BYTES_ID,
  COMPLEX_ID,
  FLOAT_ID,
  INT_ID,
  INTERFACE_ID,
  STRING_ID,
  UINT_ID,
  type WireType,
} from './wire-types.ts';

type DecodeFn = (r: GobReader) => unknown;
type ZeroFn = () => unknown;

/** A non-nil interface value: the stream may define types inside it, so it cannot be stepped over. */
export class InterfaceValueFound extends DecodeFailure {
  constructor(readonly concreteType: string) {
    super(`interface value of concrete type ${JSON.stringify(concreteType)}`);
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
  throw new InterfaceValueFound(name);
};

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
]);

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

  #decoder(id: number): DecodeFn {
    const known = this.#decoders.get(id);
    if (known !== undefined) return known;
    if (id === COMPLEX_ID) throw new DecodeFailure('complex numbers are not supported');
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
    switch (wire.kind) {
      case 'struct':
        return this.#buildStruct(
          id,
          wire.fields.map((field) => field.name),
          wire.fields.map((field) => field.id),
        );
      case 'slice': {
        const elem = this.#decoder(wire.elem);
        return (r) => decodeElements(r, elem, -1);
      }
      case 'array': {
        const elem = this.#decoder(wire.elem);
        return (r) => decodeElements(r, elem, wire.length);
      }
      case 'map': {
        const key = this.#decoder(wire.key);
        const elem = this.#decoder(wire.elem);
        return wire.key === STRING_ID ? (r) => decodeObjectMap(r, elem) : (r) => decodeMap(r, key, elem);
      }
      default:
        // GobEncoder, BinaryMarshaler, TextMarshaler: the marshaled bytes, as they came.
        return decodeBytes;
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
    return (r) => {
      zeros ??= ids.map((id) => this.#fieldZero(id, ownId));
      zeroSizes ??= ids.map((id) => this.#fieldZeroSize(id, ownId));
      // Every field is made, sent or zero: the struct pays for all of them up front.
      r.spend(count);
      const value: Record<string, unknown> = {};
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
   * The zero value of a field of type `id` in struct `ownerId`. A field holding its own struct
   * (or an array of it) can only be a pointer in Go, which stays nil: null.
   */
  #fieldZero(id: number, ownerId: number): ZeroFn {
    let innerId = id;
    for (let inner = this.#wire.get(innerId); inner?.kind === 'array'; inner = this.#wire.get(innerId)) {
      innerId = inner.elem;
    }
    if (innerId === ownerId) return () => null;
    return this.#zero(id);
  }

  /** The elements #fieldZero(id, ownerId) makes. */
  #fieldZeroSize(id: number, ownerId: number): number {
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
        zero = () => [];
        break;
      case 'map':
        zero = wire.key === STRING_ID ? () => ({}) : () => new Map();
        break;
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
