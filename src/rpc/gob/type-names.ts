import type { GobType } from './type-hints.ts';

/**
 * What Go's reflect.Type.Name() returns: the declared name of a named type (the basic types are
 * named), '' for slices, arrays, maps and anonymous structs. gob sends it as the type's name.
 */
export function goTypeName(type: GobType): string {
  switch (type.kind) {
    case 'bool':
    case 'string':
      return type.kind;
    case 'int':
    case 'uint':
    case 'float':
      return type.goName;
    case 'struct': {
      const dot = type.name.lastIndexOf('.');
      return dot < 0 ? type.name : type.name.slice(dot + 1);
    }
    default:
      return '';
  }
}

/** What Go's reflect.Type.String() returns: gob names a struct field's unnamed type with it. */
export function goTypeString(type: GobType): string {
  switch (type.kind) {
    case 'bool':
    case 'string':
      return type.kind;
    case 'int':
    case 'uint':
    case 'float':
      return type.goName;
    case 'bytes':
      return '[]uint8';
    case 'slice':
      return `[]${goTypeString(type.elem)}`;
    case 'array':
      return `[${type.length}]${goTypeString(type.elem)}`;
    case 'map':
      return `map[${goTypeString(type.key)}]${goTypeString(type.elem)}`;
    case 'struct':
      if (type.name !== '') return type.name;
      if (type.fields.length === 0) return 'struct {}';
      return `struct { ${type.fields.map((field) => `${field.name} ${goTypeString(field.type)}`).join('; ')} }`;
  }
}

/**
 * Identifies a Go type: two hints with the same key are the same Go type and share one type id
 * on a stream. Unlike goTypeString(), a named struct's fields are part of its key.
 */
export function goTypeKey(type: GobType): string {
  switch (type.kind) {
    case 'slice':
      return `[]${goTypeKey(type.elem)}`;
    case 'array':
      return `[${type.length}]${goTypeKey(type.elem)}`;
    case 'map':
      return `map[${goTypeKey(type.key)}]${goTypeKey(type.elem)}`;
    case 'struct':
      return `${type.name}struct{${type.fields.map((field) => `${field.name} ${goTypeKey(field.type)}`).join(';')}}`;
    default:
      return goTypeString(type);
  }
}
