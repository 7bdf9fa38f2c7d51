import { GoValueError } from './errors.ts';
import type { GoStructType, GoType } from './go-type.ts';
import { jsonFieldsOf } from './json-fields.ts';

/**
 * The JSON text Go's json.Marshal prints for the value a Go client would hold after gob decoded
 * `value` (as rpcbench decoded it) into `type`: an empty slice is nil there (null), a pointer
 * field gob left out is nil, []byte is base64, map keys sorted, <>& escaped, -0 kept.
 * NaN and ±Inf have no JSON form: json.Marshal refuses them, and so does this, naming where.
 */
export function goJsonText(value: unknown, type: GoType, path = 'reply'): string {
  return print(value, type, path, false);
}

function print(value: unknown, type: GoType, path: string, inStruct: boolean): string {
  switch (type.kind) {
    case 'bool':
      return value === true ? 'true' : 'false';
    case 'string':
      return quote(typeof value === 'string' ? value : '');
    case 'int':
    case 'uint':
      return String(value ?? 0);
    case 'float':
      return float(Number(value ?? 0), type.goName, path);
    case 'bytes':
      return value instanceof Uint8Array && value.length > 0
        ? `"${Buffer.from(value.buffer, value.byteOffset, value.length).toString('base64')}"`
        : 'null';
    case 'pointer':
      // gob leaves a zero value out of a struct, and the Go field stays a nil pointer.
      if (value === null || value === undefined || (inStruct && isZero(value, type.elem))) return 'null';
      return print(value, type.elem, path, false);
    case 'slice':
    case 'array': {
      const items = Array.isArray(value) ? value : [];
      if (type.kind === 'slice' && items.length === 0) return 'null';
      const length = type.kind === 'array' ? type.length : items.length;
      return `[${Array.from({ length }, (_, i) => print(items[i], type.elem, `${path}[${i}]`, false)).join(',')}]`;
    }
    case 'map':
      return map(value, type, path);
    case 'struct':
      return struct(value, type, path);
  }
}

function map(value: unknown, type: GoType & { kind: 'map' }, path: string): string {
  if (value === null || value === undefined) return 'null';
  const entries = value instanceof Map ? [...value] : Object.entries(value as object);
  // json.Marshal sorts a map's keys as the strings it prints them as.
  const printed = entries
    .map(([key, item]) => [String(key), item] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${printed.map(([key, item]) => `${quote(key)}:${print(item, type.elem, `${path}[${quote(key)}]`, false)}`).join(',')}}`;
}

function struct(value: unknown, type: GoStructType, path: string): string {
  const parts: string[] = [];
  const record = (value ?? {}) as Record<string, unknown>;
  for (const field of jsonFieldsOf(type)) {
    let holder: Record<string, unknown> | undefined = record;
    for (const step of field.route.slice(0, -1)) {
      const next: unknown = holder?.[step.name];
      // Fields promoted from a nil embedded pointer are left out.
      holder =
        next === null || next === undefined
          ? step.type.kind === 'pointer'
            ? undefined
            : {}
          : (next as Record<string, unknown>);
    }
    if (holder === undefined) continue;
    const item = holder[field.route.at(-1)!.name];
    if (field.omitEmpty && isEmpty(item, field.type)) continue;
    parts.push(`${quote(field.name)}:${print(item, field.type, `${path}.${field.name}`, true)}`);
  }
  return `{${parts.join(',')}}`;
}

/** What omitempty leaves out: false, 0, "", and a nil pointer, or an empty slice, map or string. */
function isEmpty(value: unknown, type: GoType): boolean {
  if (value === null || value === undefined) return true;
  switch (type.kind) {
    case 'pointer':
      return isZero(value, type.elem);
    case 'struct':
    case 'array':
      return type.kind === 'array' && type.length === 0;
    case 'map':
      return (value instanceof Map ? value.size : Object.keys(value as object).length) === 0;
    default:
      return isZero(value, type);
  }
}

/** Whether gob would leave `value` out of a struct (a zero basic value or an empty slice). */
function isZero(value: unknown, type: GoType): boolean {
  switch (type.kind) {
    case 'bool':
    case 'string':
    case 'int':
    case 'uint':
    case 'float':
      return !value;
    case 'bytes':
    case 'slice':
      return (value as { length?: number }).length === 0;
    default:
      return false;
  }
}

/** Go's float formatting in JSON: shortest digits for the width, exponent below 1e-6 and from 1e21. */
function float(value: number, goName: 'float32' | 'float64', path: string): string {
  if (!Number.isFinite(value)) {
    throw new GoValueError(`${path}: ${value} has no JSON form (Go's json.Marshal refuses it too)`);
  }
  if (Object.is(value, -0)) return '-0';
  return goName === 'float64' ? String(value) : String(Number(shortestFloat32(value)));
}

function shortestFloat32(value: number): string {
  for (let digits = 1; digits < 9; digits++) {
    const text = value.toPrecision(digits);
    if (Math.fround(Number(text)) === value) return text;
  }
  return value.toPrecision(9);
}

/** JSON.stringify's quoting with what Go adds: <, > and & as \u escapes, and U+2028, U+2029. */
function quote(text: string): string {
  return JSON.stringify(text).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
