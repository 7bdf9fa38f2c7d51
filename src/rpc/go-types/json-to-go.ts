import { GoValueError } from './errors.ts';
import { type GoStructType, type GoType, INTEGER_RANGES, MAX_FLOAT32 } from './go-type.ts';
import { jsonFieldsOf } from './json-fields.ts';

/** Go's base64 for []byte (StdEncoding, padded); line breaks are ignored as encoding/json does. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const DECIMAL_INTEGER = /^[+-]?[0-9]+$/;

/**
 * Converts a JSON value (as parsed: numbers, or bigint for integers beyond 2^53) to the form the
 * gob encoder sends as `type`, as encoding/json would decode that JSON into the Go type: integers
 * in range, floats, base64 []byte, map keys from strings, embedded fields promoted, null → nil.
 * Unlike encoding/json, an unknown object key is refused (a typo would send zero values), and
 * integers may be given as decimal strings (JSON numbers lose 64-bit precision elsewhere).
 * `path` names the value in messages, e.g. `args`.
 */
export function goValueFromJson(json: unknown, type: GoType, path: string): unknown {
  return convert(json, type, path, false);
}

function convert(json: unknown, type: GoType, path: string, inStruct: boolean): unknown {
  if (json === null || json === undefined) {
    // gob has no nil element: a nil pointer can only be left out of a struct.
    if (type.kind === 'pointer' && !inStruct)
      throw problem(path, type, 'null: gob cannot send a nil pointer outside a struct field');
    return null;
  }
  switch (type.kind) {
    case 'bool':
    case 'string':
      if (typeof json !== (type.kind === 'bool' ? 'boolean' : 'string')) throw mismatch(path, type, json);
      return json;
    case 'int':
    case 'uint':
      return integer(json, type, path);
    case 'float':
      return float(json, type, path);
    case 'bytes':
      return bytes(json, type, path);
    case 'pointer':
      return convert(json, type.elem, path, false);
    case 'slice':
    case 'array': {
      if (!Array.isArray(json)) throw mismatch(path, type, json);
      const items =
        type.kind === 'array' ? Array.from({ length: type.length }, (_, i) => json[i] ?? null) : json;
      return items.map((item, i) => convert(item, type.elem, `${path}[${i}]`, false));
    }
    case 'map':
      return map(json, type, path);
    case 'struct':
      return struct(json, type, path);
  }
}

function integer(json: unknown, type: GoType & { kind: 'int' | 'uint' }, path: string): number | bigint {
  let value: bigint;
  if (typeof json === 'bigint') value = json;
  else if (typeof json === 'number' && Number.isInteger(json)) value = BigInt(json);
  else if (typeof json === 'string' && DECIMAL_INTEGER.test(json)) value = BigInt(json);
  else if (typeof json === 'number') throw problem(path, type, `${json} is not a whole number`);
  else throw mismatch(path, type, json);
  const [min, max] = INTEGER_RANGES[type.goName];
  if (value < min || value > max) throw problem(path, type, `${value} is out of its range ${min} to ${max}`);
  return value >= Number.MIN_SAFE_INTEGER && value <= Number.MAX_SAFE_INTEGER ? Number(value) : value;
}

function float(json: unknown, type: GoType & { kind: 'float' }, path: string): number {
  const value = typeof json === 'bigint' ? Number(json) : json;
  if (typeof value !== 'number') throw mismatch(path, type, json);
  if (type.goName === 'float32' && Math.abs(value) > MAX_FLOAT32)
    throw problem(path, type, `${value} is out of its range`);
  return value;
}

function bytes(json: unknown, type: GoType, path: string): Uint8Array {
  if (Array.isArray(json)) {
    return Uint8Array.from(
      json,
      (item, i) =>
        integer(item, { kind: 'uint', goName: 'uint8', display: 'uint8' }, `${path}[${i}]`) as number,
    );
  }
  if (typeof json !== 'string') throw mismatch(path, type, json);
  const text = json.replace(/[\r\n]/g, '');
  if (!BASE64.test(text))
    throw problem(
      path,
      type,
      'the string is not base64 (standard alphabet, padded), as encoding/json expects for []byte',
    );
  return Buffer.from(text, 'base64');
}

function map(json: unknown, type: GoType & { kind: 'map' }, path: string): Map<unknown, unknown> {
  if (typeof json !== 'object' || Array.isArray(json) || json instanceof Uint8Array)
    throw mismatch(path, type, json);
  const entries = json instanceof Map ? [...json] : Object.entries(json as object);
  const result = new Map<unknown, unknown>();
  for (const [rawKey, item] of entries) {
    const keyPath = `${path}[${JSON.stringify(String(rawKey))}]`;
    const key =
      type.key.kind === 'string'
        ? convert(String(rawKey), type.key, keyPath, false)
        : integer(String(rawKey), type.key as never, `${keyPath} (key)`);
    result.set(key, convert(item, type.elem, keyPath, false));
  }
  return result;
}

function struct(
  json: unknown,
  type: GoStructType & { display: string },
  path: string,
): Record<string, unknown> {
  if (typeof json !== 'object' || Array.isArray(json) || json instanceof Map || json instanceof Uint8Array) {
    throw mismatch(path, type, json);
  }
  const fields = jsonFieldsOf(type);
  const result: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(json as object)) {
    const field =
      fields.find((candidate) => candidate.name === key) ??
      fields.find((candidate) => candidate.name.toLowerCase() === key.toLowerCase());
    if (field === undefined) {
      throw problem(
        path,
        type,
        `has no field "${key}" (its JSON fields: ${fields.map((f) => f.name).join(', ') || 'none'})`,
      );
    }
    // The route's embedded structs are objects of their own on gob's wire.
    let target = result;
    for (const step of field.route.slice(0, -1)) {
      target[step.name] ??= {};
      target = target[step.name] as Record<string, unknown>;
    }
    target[field.route.at(-1)!.name] = convert(item, field.type, `${path}.${key}`, true);
  }
  return result;
}

function mismatch(path: string, type: GoType, json: unknown): GoValueError {
  return problem(path, type, `expected ${expected(type)}, got ${describe(json)}`);
}

function problem(path: string, type: GoType, what: string): GoValueError {
  return new GoValueError(`${path} (Go type ${type.display}): ${what}`);
}

function expected(type: GoType): string {
  switch (type.kind) {
    case 'int':
    case 'uint':
      return 'a whole number (or a decimal string)';
    case 'float':
      return 'a number';
    case 'bytes':
      return 'a base64 string';
    case 'slice':
    case 'array':
      return 'an array';
    case 'map':
    case 'struct':
      return 'an object';
    default:
      return type.kind === 'bool' ? 'true or false' : 'a string';
  }
}

function describe(json: unknown): string {
  if (Array.isArray(json)) return 'an array';
  if (typeof json === 'object') return 'an object';
  if (typeof json === 'string')
    return `the string ${JSON.stringify(json.length > 40 ? `${json.slice(0, 40)}…` : json)}`;
  return `${typeof json === 'bigint' ? 'number' : typeof json} ${String(json)}`;
}
