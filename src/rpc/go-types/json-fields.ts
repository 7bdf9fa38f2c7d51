import type { GoField, GoStructType, GoType } from './go-type.ts';

/** A key of a struct's JSON object: the Go fields leading to it (embedded structs first). */
export interface JsonField {
  readonly name: string;
  readonly route: readonly GoField[];
  readonly type: GoType;
  readonly omitEmpty: boolean;
}

interface Candidate extends JsonField {
  readonly depth: number;
  readonly tagged: boolean;
}

const cache = new WeakMap<GoStructType, readonly JsonField[]>();

/**
 * The keys encoding/json gives a struct, in its order: fields of embedded structs are promoted;
 * of two keys of one name the shallower wins, then the tagged one, else neither is used.
 */
export function jsonFieldsOf(struct: GoStructType): readonly JsonField[] {
  const known = cache.get(struct);
  if (known !== undefined) return known;
  const candidates: Candidate[] = [];
  collect(struct, [], 0, candidates);
  const byName = new Map<string, Candidate[]>();
  for (const candidate of candidates) {
    byName.set(candidate.name, [...(byName.get(candidate.name) ?? []), candidate]);
  }
  const fields = candidates.filter((candidate) => dominant(byName.get(candidate.name)!) === candidate);
  cache.set(struct, fields);
  return fields;
}

function collect(struct: GoStructType, route: readonly GoField[], depth: number, into: Candidate[]): void {
  for (const field of struct.fields) {
    if (field.jsonSkip) continue;
    const target = field.type.kind === 'pointer' ? field.type.elem : field.type;
    if (field.embedded && field.jsonName === '' && target.kind === 'struct') {
      collect(target, [...route, field], depth + 1, into);
      continue;
    }
    into.push({
      name: field.jsonName || field.name,
      route: [...route, field],
      type: field.type,
      omitEmpty: field.omitEmpty,
      depth,
      tagged: field.jsonName !== '',
    });
  }
}

function dominant(sameName: readonly Candidate[]): Candidate | undefined {
  const depth = Math.min(...sameName.map((candidate) => candidate.depth));
  const shallowest = sameName.filter((candidate) => candidate.depth === depth);
  if (shallowest.length === 1) return shallowest[0];
  const tagged = shallowest.filter((candidate) => candidate.tagged);
  return tagged.length === 1 ? tagged[0] : undefined;
}
