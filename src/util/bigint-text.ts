/**
 * `value` with every bigint replaced by its decimal text, for JSON, which has no bigint: an
 * int64 or uint64 argument (`--args '{"U64":18446744073709551615}'`) is kept exactly in a result
 * file. Other values are the same objects; only the containers on a path to a bigint are copied.
 */
export function bigIntsAsText(value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (Array.isArray(value)) {
    const items = value.map(bigIntsAsText);
    return items.every((item, i) => item === value[i]) ? value : items;
  }
  if (value === null || typeof value !== 'object' || Object.getPrototypeOf(value) !== Object.prototype)
    return value;
  let copy: Record<string, unknown> | undefined;
  for (const [key, item] of Object.entries(value)) {
    const converted = bigIntsAsText(item);
    if (converted !== item) {
      copy ??= { ...(value as Record<string, unknown>) };
      copy[key] = converted;
    }
  }
  return copy ?? value;
}
