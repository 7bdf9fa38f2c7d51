import { type GobType, gob, structFromFields } from '../gob/type-hints.ts';
import type { GoType } from './go-type.ts';

const cache = new WeakMap<GoType, GobType>();

/**
 * The type gob sends a Go value of `type` as: pointers are followed (gob sends what they point
 * to, and leaves a nil one out), an embedded struct is the field named after its type, named
 * types are their underlying kind. Fields neither gob nor JSON sends are left out.
 */
export function gobTypeOf(type: GoType): GobType {
  const known = cache.get(type);
  if (known !== undefined) return known;
  const made = build(type);
  cache.set(type, made);
  return made;
}

function build(type: GoType): GobType {
  switch (type.kind) {
    case 'bool':
      return gob.bool;
    case 'string':
      return gob.string;
    case 'int':
    case 'uint':
    case 'float':
      return gob[type.goName];
    case 'bytes':
      return gob.bytes;
    case 'pointer':
      return gobTypeOf(type.elem);
    case 'slice':
      return gob.slice(gobTypeOf(type.elem));
    case 'array':
      return gob.array(gobTypeOf(type.elem), type.length);
    case 'map':
      return gob.map(gobTypeOf(type.key), gobTypeOf(type.elem));
    case 'struct':
      return structFromFields(
        type.name,
        type.fields
          .filter((field) => !field.jsonSkip)
          .map((field) => Object.freeze({ name: field.name, type: gobTypeOf(field.type) })),
      );
  }
}
