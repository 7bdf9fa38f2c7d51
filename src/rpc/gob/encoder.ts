import type { OutputBuffer } from '../output-buffer.ts';
import { compilePlan, type EncodePlan, writeTopLevel } from './encode-plan.ts';
import { inferGobType } from './infer-type.ts';
import { GobWriter, putUint, uintByteLength } from './primitives.ts';
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
  /** Message bodies are assembled here, then copied out behind their byte counts. */
  readonly #scratch = new GobWriter();
  /** [start, end) of each message body in #scratch, in stream order. */
  readonly #spans: number[] = [];
  /** The types the encode in progress defines, committed once its messages are out. */
  #newTypes: NewType[] = [];
  #newPlan: EncodePlan | undefined;
  #newTopId = 0;

  /**
   * The messages for `value`: the type definitions it needs first, then the value. `type` says
   * the Go type; without it the type is inferred (see inferGobType()). Throws GobValueError
   * naming the path of a part that cannot be sent.
   */
  encode(value: unknown, type?: GobType): Buffer {
    const total = this.#prepare(value, type);
    const bytes = Buffer.allocUnsafe(total);
    this.#copyMessages(bytes, 0);
    this.#commit();
    return bytes;
  }

  /** As encode(), appending to `out`; appends nothing when it throws. */
  encodeInto(value: unknown, type: GobType | undefined, out: OutputBuffer): void {
    const total = this.#prepare(value, type);
    const at = out.length;
    const bytes = out.reserve(total);
    out.commit(this.#copyMessages(bytes, at));
    this.#commit();
  }

  /**
   * The id `type` has on this stream once it and every type inside it are defined, else
   * undefined: a caller that writes such values itself (the RPC header) needs no definitions.
   */
  definedId(type: GobType): number | undefined {
    return this.#ready.get(compilePlan(type));
  }

  /** Encodes every message body into #scratch; returns the bytes they take with their counts. */
  #prepare(value: unknown, type: GobType | undefined): number {
    const plan = compilePlan(type ?? (value instanceof GobTypedValue ? value.type : inferGobType(value)));
    const w = this.#scratch;
    const spans = this.#spans;
    w.truncate(0);
    spans.length = 0;
    if (this.#newTypes.length > 0) this.#newTypes = [];
    this.#newPlan = undefined;
    let topId = this.#ready.get(plan);
    if (topId === undefined) {
      const known = new Map<string, number>();
      topId = this.#assign(plan, plan.goName, known);
      this.#newPlan = plan;
      this.#newTopId = topId;
      if (this.#newTypes.length > 0) this.#writeDefinitions(plan);
    }
    const start = w.length;
    w.writeInt(topId);
    writeTopLevel(w, plan, value);
    spans.push(start, w.length);
    let total = 0;
    for (let i = 0; i < spans.length; i += 2) {
      const length = spans[i + 1]! - spans[i]!;
      total += uintByteLength(length) + length;
    }
    return total;
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
  #writeDefinitions(plan: EncodePlan): void {
    const byKey = new Map(this.#newTypes.map((entry) => [entry.plan.key, entry]));
    const written = new Set<string>();
    const visit = (current: EncodePlan): void => {
      const entry = byKey.get(current.key);
      if (entry === undefined || written.has(current.key)) return;
      written.add(current.key);
      const start = this.#scratch.length;
      this.#scratch.writeInt(-entry.id);
      writeWireType(this.#scratch, toWireType(entry));
      this.#spans.push(start, this.#scratch.length);
      for (const child of current.children) visit(child);
    };
    visit(plan);
  }

  #copyMessages(bytes: Buffer, at: number): number {
    const spans = this.#spans;
    const source = this.#scratch;
    let offset = at;
    for (let i = 0; i < spans.length; i += 2) {
      const start = spans[i]!;
      const end = spans[i + 1]!;
      offset = source.copyTo(bytes, putUint(bytes, offset, end - start), start, end);
    }
    return offset;
  }

  /** The messages are out: their types are now defined on the stream. */
  #commit(): void {
    for (const entry of this.#newTypes) this.#ids.set(entry.plan.key, entry.id);
    this.#lastId += this.#newTypes.length;
    if (this.#newPlan !== undefined) this.#ready.set(this.#newPlan, this.#newTopId);
    if (this.#newTypes.length > 0) this.#newTypes = [];
    this.#newPlan = undefined;
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
