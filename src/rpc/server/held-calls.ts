import { ProtocolError } from '../errors.ts';
import type { Header } from '../header.ts';

/**
 * Elements (fields, array elements, map entries) the bodies of calls held past the in-flight
 * limit may decode to on one connection: a few bytes of gob can name a wide zero struct.
 */
export const MAX_HELD_ELEMENTS = 1_048_576;

/**
 * Calls decoded while reading was paused, header then body in turn: the rest of the chunk that
 * filled the last slot or found the peer lagging. Their decoded size is bounded by MAX_HELD_ELEMENTS.
 */
export class HeldCalls {
  readonly #calls: unknown[] = [];
  /** The elements each held body made (codecs that count them), and their sum. */
  readonly #elements: number[] = [];
  #elementsTotal = 0;

  get count(): number {
    return this.#calls.length / 2;
  }

  /** Throws once the held bodies decode to more than MAX_HELD_ELEMENTS elements. */
  push(header: Header, args: unknown, elements: number): void {
    this.#elementsTotal += elements;
    if (this.#elementsTotal > MAX_HELD_ELEMENTS) {
      throw new ProtocolError(
        'ERR_BAD_FRAME',
        `rpc server: calls held past the in-flight limit decode to more than ${MAX_HELD_ELEMENTS} elements`,
      );
    }
    this.#calls.push(header, args);
    this.#elements.push(elements);
  }

  header(index: number): Header {
    return this.#calls[index * 2] as Header;
  }

  args(index: number): unknown {
    return this.#calls[index * 2 + 1];
  }

  /** Forgets the first `count` calls, once dispatched. */
  drop(count: number): void {
    this.#calls.splice(0, count * 2);
    for (const elements of this.#elements.splice(0, count)) this.#elementsTotal -= elements;
  }

  clear(): void {
    this.#calls.length = 0;
    this.#elements.length = 0;
    this.#elementsTotal = 0;
  }
}
