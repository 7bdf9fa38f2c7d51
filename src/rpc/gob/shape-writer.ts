import type { EncodePlan } from './encode-plan.ts';
import type { GobWriter } from './primitives.ts';

/**
 * Writes a value as one inferred struct type, checking as it goes that the value infers to
 * exactly that type: returns false, its bytes to be dropped, for any value that does not.
 */
export type ShapeWriter = (w: GobWriter, value: unknown) => boolean;

/** The field types a shape writer handles: what inferGobType() gives a scalar. */
const BOOL = 0;
const INT = 1;
const FLOAT64 = 2;
const STRING = 3;

const writers = new WeakMap<EncodePlan, ShapeWriter | null>();

/**
 * The shape writer of an inferred struct whose fields are all bool, int, float64 or string (the
 * arguments and replies of most calls), else undefined. Bytes equal those of the plan's own
 * writer: fields in order, each as its delta, zero values left out, then the end byte.
 */
export function shapeWriter(plan: EncodePlan): ShapeWriter | undefined {
  let writer = writers.get(plan);
  if (writer === undefined) {
    writer = buildShapeWriter(plan);
    writers.set(plan, writer);
  }
  return writer ?? undefined;
}

function buildShapeWriter(plan: EncodePlan): ShapeWriter | null {
  const type = plan.type;
  if (type.kind !== 'struct' || type.name !== '') return null;
  const names: string[] = [];
  const kinds: number[] = [];
  for (const field of type.fields) {
    const kind = scalarKind(
      field.type.kind === 'int' || field.type.kind === 'float' ? field.type.goName : field.type.kind,
    );
    if (kind === undefined) return null;
    names.push(field.name);
    kinds.push(kind);
  }
  const count = names.length;
  return (w, value) => {
    if (typeof value !== 'object' || value === null) return false;
    const prototype = Object.getPrototypeOf(value);
    if (prototype !== Object.prototype && prototype !== null) return false;
    const record = value as Record<string, unknown>;
    let i = 0;
    let last = -1;
    for (const name in record) {
      if (i === count || name !== names[i]) return false;
      const field = record[name];
      switch (kinds[i]) {
        case BOOL:
          if (typeof field !== 'boolean') return false;
          if (field) {
            w.writeUint(i - last);
            w.writeByte(1);
            last = i;
          }
          break;
        case INT:
          if (typeof field !== 'number' || !Number.isSafeInteger(field)) return false;
          if (field !== 0) {
            w.writeUint(i - last);
            w.writeInt(field);
            last = i;
          }
          break;
        case FLOAT64:
          if (typeof field !== 'number' || Number.isSafeInteger(field)) return false;
          // Never zero: 0 and -0 are safe integers, which infer to int.
          w.writeUint(i - last);
          w.writeFloat(field);
          last = i;
          break;
        default:
          if (typeof field !== 'string') return false;
          if (field !== '') {
            w.writeUint(i - last);
            w.writeString(field);
            last = i;
          }
      }
      i++;
    }
    if (i !== count) return false;
    w.writeByte(0);
    return true;
  };
}

function scalarKind(name: string): number | undefined {
  switch (name) {
    case 'bool':
      return BOOL;
    case 'int':
      return INT;
    case 'float64':
      return FLOAT64;
    case 'string':
      return STRING;
    default:
      return undefined;
  }
}
