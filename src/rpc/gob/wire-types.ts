import { DecodeFailure, type GobReader, type GobWriter } from './primitives.ts';

/** The type ids every gob stream knows without a definition (doc.go, "bootstrapped" types). */
export const BOOL_ID = 1;
export const INT_ID = 2;
export const UINT_ID = 3;
export const FLOAT_ID = 4;
export const BYTES_ID = 5;
export const STRING_ID = 6;
export const COMPLEX_ID = 7;
export const INTERFACE_ID = 8;
/** Go assigns user types ids from 65 up (0 to 64 are reserved). */
export const FIRST_USER_ID = 65;

export interface WireField {
  readonly name: string;
  readonly id: number;
}

/**
 * One type definition as it travels: Go's `wireType` struct, of which exactly one field is set.
 * The three marshaler kinds carry a value as opaque bytes.
 */
export type WireType =
  | {
      readonly kind: 'array';
      readonly name: string;
      readonly id: number;
      readonly elem: number;
      readonly length: number;
    }
  | { readonly kind: 'slice'; readonly name: string; readonly id: number; readonly elem: number }
  | {
      readonly kind: 'struct';
      readonly name: string;
      readonly id: number;
      readonly fields: readonly WireField[];
    }
  | {
      readonly kind: 'map';
      readonly name: string;
      readonly id: number;
      readonly key: number;
      readonly elem: number;
    }
  | {
      readonly kind: 'gobEncoder' | 'binaryMarshaler' | 'textMarshaler';
      readonly name: string;
      readonly id: number;
    };

/** wireType's fields in Go's declaration order: the field number on the wire is the index. */
const WIRE_TYPE_FIELDS = [
  'array',
  'slice',
  'struct',
  'map',
  'gobEncoder',
  'binaryMarshaler',
  'textMarshaler',
] as const;

/**
 * Writes a wireType value: a struct whose one non-nil field is itself a struct starting with the
 * embedded CommonType{Name, Id}. Zero fields are omitted as for any gob struct, so an empty
 * name or an empty field list sends nothing.
 */
export function writeWireType(w: GobWriter, type: WireType): void {
  w.writeUint(WIRE_TYPE_FIELDS.indexOf(type.kind) + 1);
  w.writeUint(1); // field 0 of the inner struct: CommonType
  if (type.name !== '') {
    w.writeUint(1);
    w.writeString(type.name);
    w.writeUint(1);
  } else {
    w.writeUint(2);
  }
  w.writeInt(type.id);
  w.writeByte(0); // end of CommonType
  switch (type.kind) {
    case 'array':
      w.writeUint(1);
      w.writeInt(type.elem);
      if (type.length !== 0) {
        w.writeUint(1);
        w.writeInt(type.length);
      }
      break;
    case 'slice':
      w.writeUint(1);
      w.writeInt(type.elem);
      break;
    case 'map':
      w.writeUint(1);
      w.writeInt(type.key);
      w.writeUint(1);
      w.writeInt(type.elem);
      break;
    case 'struct':
      if (type.fields.length === 0) break;
      w.writeUint(1);
      w.writeUint(type.fields.length);
      for (const field of type.fields) {
        if (field.name !== '') {
          w.writeUint(1);
          w.writeString(field.name);
          w.writeUint(1);
        } else {
          w.writeUint(2);
        }
        w.writeInt(field.id);
        w.writeByte(0);
      }
      break;
    default:
      break;
  }
  w.writeByte(0); // end of the inner struct
  w.writeByte(0); // end of wireType
}

/** Reads `(delta, value)*` up to the 0 delta, handing each field number to `onField`. */
function readStruct(r: GobReader, what: string, fieldCount: number, onField: (field: number) => void): void {
  let field = -1;
  for (;;) {
    const delta = r.readUint();
    if (delta === 0) return;
    field += Number(delta);
    if (field >= fieldCount) throw new DecodeFailure(`${what} has no field ${field}`);
    onField(field);
  }
}

function readTypeId(r: GobReader, what: string): number {
  const id = r.readInt();
  if (typeof id !== 'number' || id <= 0 || id > 0x7fffffff)
    throw new DecodeFailure(`${what}: bad type id ${id}`);
  return id;
}

/** Reads a wireType value; throws DecodeFailure when it does not parse. */
export function readWireType(r: GobReader): WireType {
  let result: WireType | undefined;
  readStruct(r, 'wireType', WIRE_TYPE_FIELDS.length, (field) => {
    if (result !== undefined) throw new DecodeFailure('wireType sets more than one kind');
    result = readInnerType(r, WIRE_TYPE_FIELDS[field]!);
  });
  if (result === undefined) throw new DecodeFailure('empty wireType');
  return result;
}

function readInnerType(r: GobReader, kind: WireType['kind']): WireType {
  let name = '';
  let id = 0;
  let elem = 0;
  let key = 0;
  let length = 0;
  const fields: WireField[] = [];
  const fieldCount =
    kind === 'array' || kind === 'map' ? 3 : kind === 'gobEncoder' || kind.endsWith('Marshaler') ? 1 : 2;
  readStruct(r, `${kind}Type`, fieldCount, (field) => {
    if (field === 0) {
      readStruct(r, 'CommonType', 2, (common) => {
        if (common === 0) name = r.readString();
        else id = readTypeId(r, 'CommonType.Id');
      });
    } else if (kind === 'struct') {
      const count = r.readCount('struct field');
      for (let i = 0; i < count; i++) fields.push(readFieldType(r));
    } else if (kind === 'map') {
      if (field === 1) key = readTypeId(r, 'mapType.Key');
      else elem = readTypeId(r, 'mapType.Elem');
    } else if (kind === 'array' && field === 2) {
      const value = r.readInt();
      if (typeof value !== 'number' || value < 0) throw new DecodeFailure(`bad array length ${value}`);
      length = value;
    } else {
      elem = readTypeId(r, `${kind}Type.Elem`);
    }
  });
  switch (kind) {
    case 'array':
      if (elem === 0) throw new DecodeFailure('arrayType without Elem');
      return { kind, name, id, elem, length };
    case 'slice':
      if (elem === 0) throw new DecodeFailure('sliceType without Elem');
      return { kind, name, id, elem };
    case 'map':
      if (key === 0 || elem === 0) throw new DecodeFailure('mapType without Key or Elem');
      return { kind, name, id, key, elem };
    case 'struct':
      return { kind, name, id, fields };
    default:
      return { kind, name, id };
  }
}

function readFieldType(r: GobReader): WireField {
  let name = '';
  let id = 0;
  readStruct(r, 'fieldType', 2, (field) => {
    if (field === 0) name = r.readString();
    else id = readTypeId(r, 'fieldType.Id');
  });
  if (id === 0) throw new DecodeFailure(`struct field "${name}" has no type id`);
  return { name, id };
}
