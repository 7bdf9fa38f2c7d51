import { OutputBuffer } from '../output-buffer.ts';
import { compilePlan, type EncodePlan, writeTopLevel } from './encode-plan.ts';
import { inferGobType } from './infer-type.ts';
import { GobWriter } from './primitives.ts';
import { type ShapeWriter, shapeWriter } from './shape-writer.ts';
import { type GobType, GobTypedValue } from './type-hints.ts';
import { FIRST_USER_ID, type WireType, writeWireType } from './wire-types.ts';

/** A type given an id by the encode in progress, to be defined on the stream if the encode succeeds. */
interface NewType {
  readonly plan: EncodePlan;
  readonly id: number;
  /** The name gob sends: fixed by where Go first meets the type (see #assign). */
  readonly name: string;
  readonly refs: number[];
}

/**
 * Writes gob messages for one stream, as Go's gob.Encoder does: before the first value of a
 * type, the definitions of that type and of the types inside it, each one message; then the
 * value, one message. Every message starts with its byte count. Type ids count from 65 on
 * each encoder (Go counts per process, which a fresh Go process matches).
 *
 * An encode that throws writes nothing and defines nothing: the next value of that type still
 * carries its definitions.
 */
export class GobEncoder {
  /** The types defined on this stream: their ids, by Go type key. */
  readonly #ids = new Map<string, number>();
  #lastId = FIRST_USER_ID - 1;
  /** Plans whose type and every type inside it are defined on this stream: the top-level id. */
  readonly #ready = new WeakMap<EncodePlan, number>();
  readonly #writer = new GobWriter();
  /** Where encode() puts its messages before handing them out. */
  #own: OutputBuffer | undefined;
  /** The types the encode in progress defines, committed once its messages are out. */
  #newTypes: NewType[] = [];
  /**
   * The last inferred struct whose values can be checked and written in one pass, with its id
   * on this stream: values of one shape come in runs, and then inferring each one is wasted.
   */
  #shape: { readonly id: number; readonly write: ShapeWriter } | undefined;
  /** The Go type key of each id defined on this stream, from FIRST_USER_ID on: what rollback() forgets. */
  readonly #keys: string[] = [];
  /** The plans made ready with a newly defined top-level id, in order: what rollback() unmarks. */
  readonly #readyPlans: EncodePlan[] = [];

  /**
   * The messages for `value`: the type definitions it needs first, then the value. `type` says
   * the Go type; without it the type is inferred (see inferGobType()). Throws GobValueError
   * naming the path of a part that cannot be sent.
   */
  encode(value: unknown, type?: GobType): Buffer {
    this.#own ??= new OutputBuffer();
    this.encodeInto(value, type, this.#own);
    return this.#own.take();
  }

  /** As encode(), appending to `out`; appends nothing when it throws. */
  encodeInto(value: unknown, type: GobType | undefined, out: OutputBuffer): void {
    const start = out.length;
    const w = this.#writer;
    w.target(out);
    const shape = this.#shape;
    if (shape !== undefined && type === undefined) {
      w.beginMessage();
      w.writeUint(shape.id * 2);
      if (shape.write(w, value)) {
        w.endMessage(start);
        w.commit();
        return;
      }
      // Not of that shape: start again, the general way (a grown buffer may hold some bytes).
      out.truncate(start);
      w.truncate(start);
    }
    try {
      this.#write(w, value, type);
    } catch (error) {
      out.truncate(start);
      if (this.#newTypes.length > 0) this.#newTypes = [];
      throw error;
    }
    w.commit();
  }

  /**
   * A point to come back to with rollback(). Messages that travel together (an RPC header and its
   * body) are one unit: when the body cannot be encoded the header's bytes are dropped too, so
   * the definitions the header made must be forgotten, or the next message would use a type id
   * the peer never saw.
   */
  mark(): number {
    return this.#lastId;
  }

  /** Forgets every type defined since `mark`: the next value of such a type defines it again. */
  rollback(mark: number): void {
    if (this.#lastId === mark) return;
    for (const key of this.#keys.splice(mark - FIRST_USER_ID + 1)) this.#ids.delete(key);
    const ready = this.#readyPlans;
    while (ready.length > 0 && this.#ready.get(ready.at(-1)!)! > mark) this.#ready.delete(ready.pop()!);
    if (this.#shape !== undefined && this.#shape.id > mark) this.#shape = undefined;
    this.#lastId = mark;
  }

  /**
   * The id `type` has on this stream once it and every type inside it are defined, else
   * undefined: a caller that writes such values itself (the RPC header) needs no definitions.
   */
  definedId(type: GobType): number | undefined {
    return this.#ready.get(compilePlan(type));
  }

  /** Writes the definitions `value` needs, then `value`; defines the new types once all is written. */
  #write(w: GobWriter, value: unknown, type: GobType | undefined): void {
    const inferred = type === undefined && !(value instanceof GobTypedValue);
    const plan = compilePlan(type ?? (value instanceof GobTypedValue ? value.type : inferGobType(value)));
    let topId = this.#ready.get(plan);
    const known = topId === undefined ? new Map<string, number>() : undefined;
    if (known !== undefined) {
      topId = this.#assign(plan, plan.goName, known);
      if (this.#newTypes.length > 0) this.#writeDefinitions(w, plan);
    }
    const at = w.beginMessage();
    w.writeInt(topId!);
    writeTopLevel(w, plan, value);
    w.endMessage(at);
    if (known !== undefined) {
      const firstNewId = this.#lastId + 1;
      for (const entry of this.#newTypes) {
        this.#ids.set(entry.plan.key, entry.id);
        this.#keys.push(entry.plan.key);
      }
      this.#lastId += this.#newTypes.length;
      if (this.#newTypes.length > 0) this.#newTypes = [];
      this.#ready.set(plan, topId!);
      if (topId! >= firstNewId) this.#readyPlans.push(plan);
    }
    if (inferred && value !== null && typeof value === 'object') {
      const write = shapeWriter(plan);
      if (write !== undefined) this.#shape = { id: topId!, write };
    }
  }

  /**
   * Gives ids to the types of `plan` not yet defined, in Go's order: a struct takes its id before
   * its fields' types, a slice, array or map after its elements'. The name is that of the first
   * place Go builds the type from: a top-level value's Name(), a struct field's Name() or
   * String(), a slice element's Name(), and '' for array elements and map keys and elements.
   */
  #assign(plan: EncodePlan, name: string, known: Map<string, number>): number {
    if (plan.builtinId !== 0) return plan.builtinId;
    const id = this.#ids.get(plan.key) ?? known.get(plan.key);
    if (id !== undefined) return id;
    const refs: number[] = [];
    const type = plan.type;
    if (type.kind === 'struct') {
      const structId = this.#takeId(plan, name, refs, known);
      for (const field of plan.children)
        refs.push(this.#assign(field, field.goName || field.goString, known));
      return structId;
    }
    if (type.kind === 'slice') refs.push(this.#assign(plan.children[0]!, plan.children[0]!.goName, known));
    else for (const child of plan.children) refs.push(this.#assign(child, '', known));
    return this.#takeId(plan, name, refs, known);
  }

  #takeId(plan: EncodePlan, name: string, refs: number[], known: Map<string, number>): number {
    const id = this.#lastId + this.#newTypes.length + 1;
    known.set(plan.key, id);
    this.#newTypes.push({ plan, id, name, refs });
    return id;
  }

  /** One message per new type, in the order Go's sendType walks them: a type, then what it holds. */
  #writeDefinitions(w: GobWriter, plan: EncodePlan): void {
    const byKey = new Map(this.#newTypes.map((entry) => [entry.plan.key, entry]));
    const written = new Set<string>();
    const visit = (current: EncodePlan): void => {
      const entry = byKey.get(current.key);
      if (entry === undefined || written.has(current.key)) return;
      written.add(current.key);
      const at = w.beginMessage();
      w.writeInt(-entry.id);
      writeWireType(w, toWireType(entry));
      w.endMessage(at);
      for (const child of current.children) visit(child);
    };
    visit(plan);
  }
}

function toWireType(entry: NewType): WireType {
  const { plan, id, name, refs } = entry;
  const type = plan.type;
  switch (type.kind) {
    case 'struct':
      return {
        kind: 'struct',
        name,
        id,
        fields: type.fields.map((field, i) => ({ name: field.name, id: refs[i]! })),
      };
    case 'slice':
      return { kind: 'slice', name, id, elem: refs[0]! };
    case 'array':
      return { kind: 'array', name, id, elem: refs[0]!, length: type.length };
    case 'map':
      return { kind: 'map', name, id, key: refs[0]!, elem: refs[1]! };
    default:
      throw new Error(`unreachable: a ${type.kind} has no type definition`);
  }
}
