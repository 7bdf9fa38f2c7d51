/** GeeRPC's message header, field for field. `Error` is empty on success. */
export interface Header {
  ServiceMethod: string;
  Seq: number;
  Error: string;
}

/** Returns the header, or undefined when `value` is not shaped like one. */
export function asHeader(value: unknown): Header | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const header = value as Partial<Header>;
  if (typeof header.ServiceMethod !== 'string') return undefined;
  const seq = header.Seq;
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0) return undefined;
  if (typeof header.Error === 'string') return header as Header;
  if (header.Error !== undefined) return undefined;
  return { ServiceMethod: header.ServiceMethod, Seq: seq, Error: '' };
}
