import { GoValueError } from './errors.ts';

/** A run of 16 digits: the text may hold an integer a JavaScript number cannot hold exactly. */
const LONG_DIGITS = /[0-9]{16}/;

/**
 * JSON.parse, except that an integer a number cannot hold exactly becomes a bigint, not a rounded number:
 * int64 and uint64 values such as 18446744073709551615 keep every digit.
 */
export function parseJsonKeepingIntegers(text: string): unknown {
  const value: unknown = JSON.parse(text);
  return LONG_DIGITS.test(text) ? new ExactParser(text).document() : value;
}

/** Only for text JSON.parse has accepted: the grammar is checked there. */
class ExactParser {
  #at = 0;

  constructor(readonly text: string) {}

  document(): unknown {
    const value = this.#value();
    this.#space();
    if (this.#at !== this.text.length) throw new GoValueError(`JSON: text after the value at ${this.#at}`);
    return value;
  }

  #value(): unknown {
    this.#space();
    const c = this.text[this.#at];
    if (c === '{') return this.#object();
    if (c === '[') return this.#array();
    if (c === '"') return this.#string();
    const match = /^(?:-?[0-9][0-9.eE+-]*|true|false|null)/.exec(this.text.slice(this.#at, this.#at + 400))!;
    this.#at += match[0].length;
    const literal = match[0];
    if (/^-?[0-9]+$/.test(literal)) {
      const number = Number(literal);
      const exact = BigInt(literal);
      return BigInt(number) === exact ? number : exact;
    }
    return JSON.parse(literal);
  }

  #object(): Record<string, unknown> {
    const result: Record<string, unknown> = {};
    this.#at++;
    for (;;) {
      this.#space();
      if (this.text[this.#at] === '}') break;
      const key = this.#string();
      this.#space();
      this.#at++; // ':'
      Object.defineProperty(result, key, {
        value: this.#value(),
        enumerable: true,
        writable: true,
        configurable: true,
      });
      this.#space();
      if (this.text[this.#at] === ',') this.#at++;
    }
    this.#at++;
    return result;
  }

  #array(): unknown[] {
    const result: unknown[] = [];
    this.#at++;
    for (;;) {
      this.#space();
      if (this.text[this.#at] === ']') break;
      result.push(this.#value());
      this.#space();
      if (this.text[this.#at] === ',') this.#at++;
    }
    this.#at++;
    return result;
  }

  #string(): string {
    const start = this.#at;
    this.#at++;
    while (this.text[this.#at] !== '"') this.#at += this.text[this.#at] === '\\' ? 2 : 1;
    this.#at++;
    return JSON.parse(this.text.slice(start, this.#at)) as string;
  }

  #space(): void {
    while (/\s/.test(this.text[this.#at] ?? '')) this.#at++;
  }
}
