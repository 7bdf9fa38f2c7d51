/**
 * Node's Buffer methods behind `toString(encoding, start, end)` and `write(text, at, 'utf8')`,
 * without their argument handling: for the few bytes of one field, that handling costs more than
 * the decoding. Offsets must lie within the buffer.
 */
interface TextMethods {
  latin1Slice(start: number, end: number): string;
  utf8Slice(start: number, end: number): string;
  utf8Write(text: string, at: number, maxBytes: number): number;
}

/** The bytes as Latin-1: for ASCII, the same text as UTF-8. */
export function latin1Text(source: Buffer, start: number, end: number): string {
  return (source as unknown as TextMethods).latin1Slice(start, end);
}

export function utf8Text(source: Buffer, start: number, end: number): string {
  return (source as unknown as TextMethods).utf8Slice(start, end);
}

/** Writes `text` as UTF-8 at `at`, at most up to the buffer's end; returns the bytes written. */
export function writeUtf8(bytes: Buffer, text: string, at: number): number {
  return (bytes as unknown as TextMethods).utf8Write(text, at, bytes.length - at);
}
