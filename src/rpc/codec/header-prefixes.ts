/**
 * A header's bytes up to its Seq depend only on its method, and a connection calls the same few
 * methods over and over: codecs that write and read headers by hand keep those bytes, made once,
 * and copy or compare them whole rather than writing or reading keys and a string each time.
 */

/** Method names up to this many UTF-16 units have their prefix kept. */
const MAX_METHOD_UNITS = 64;
/** Past this many methods the kept prefixes are dropped and made again: a bound on memory. */
const MAX_METHODS = 256;

/** The prefixes a writer copies, each made by `make` (undefined: none for that method). */
export class MethodPrefixes {
  readonly #make: (method: string) => Buffer | undefined;
  readonly #prefixes = new Map<string, Buffer | undefined>();
  #lastMethod: string | undefined;
  #lastPrefix: Buffer | undefined;

  constructor(make: (method: string) => Buffer | undefined) {
    this.#make = make;
  }

  /** Copies the prefix of `method` to `bytes` at `at` and returns where it ends; -1 when there is none. */
  copy(bytes: Buffer, at: number, method: string): number {
    const prefix = this.of(method);
    if (prefix === undefined) return -1;
    bytes.set(prefix, at);
    return at + prefix.length;
  }

  /** The prefix of `method`, or undefined for a method the writer must write itself. */
  of(method: string): Buffer | undefined {
    if (method === this.#lastMethod) return this.#lastPrefix;
    if (method.length > MAX_METHOD_UNITS) return undefined;
    let prefix = this.#prefixes.get(method);
    if (prefix === undefined && !this.#prefixes.has(method)) {
      if (this.#prefixes.size >= MAX_METHODS) this.#prefixes.clear();
      prefix = this.#make(method);
      this.#prefixes.set(method, prefix);
    }
    this.#lastMethod = method;
    this.#lastPrefix = prefix;
    return prefix;
  }
}

/** Prefixes longer than this are not remembered by a reader. */
const MAX_READ_PREFIX_BYTES = 128;

/** The prefix of the last header a reader read in full, and its method. */
export class LastPrefix {
  readonly #bytes = Buffer.alloc(MAX_READ_PREFIX_BYTES);
  #length = 0;
  #method = '';

  /** The method, when `source[start, end)` begins with the prefix remembered; else undefined. */
  match(source: Buffer, start: number, end: number): string | undefined {
    const length = this.#length;
    if (length === 0 || start + length > end) return undefined;
    const bytes = this.#bytes;
    for (let i = 0; i < length; i++) {
      if (source[start + i] !== bytes[i]) return undefined;
    }
    return this.#method;
  }

  /** The prefix's length in bytes (0: none). */
  get length(): number {
    return this.#length;
  }

  /** Remembers `source[start, end)` as the prefix of a header for `method`. */
  remember(source: Buffer, start: number, end: number, method: string): void {
    if (end - start > MAX_READ_PREFIX_BYTES) return;
    source.copy(this.#bytes, 0, start, end);
    this.#length = end - start;
    this.#method = method;
  }
}
