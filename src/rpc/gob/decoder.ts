import { UndecodableValue } from '../undecodable-value.ts';
import type { GobBudget } from './budget.ts';
import { DecodePlans, InterfaceValueFound } from './decode-plan.ts';
import {
  GobBudgetError,
  GobError,
  GobFrameTooLargeError,
  GobInvalidOptionError,
  GobStreamError,
} from './errors.ts';
import { DecodeFailure, ElementBudgetSpent, GobReader } from './primitives.ts';
import { FIRST_USER_ID, readWireType, type WireType } from './wire-types.ts';

export const DEFAULT_MAX_MESSAGE_BYTES = 16 * 1024 * 1024;
/** A message may make this many elements per byte it takes, plus DEFAULT_ELEMENT_ALLOWANCE. */
export const DEFAULT_ELEMENTS_PER_BYTE = 2;
/** Elements any message may make beyond its bytes' share: room for Go's omitted zero arrays. */
export const DEFAULT_ELEMENT_ALLOWANCE = 65_536;
/** Types one stream may define. */
export const DEFAULT_MAX_TYPES = 1024;
/** Struct fields all the types of one stream may declare together. */
export const DEFAULT_MAX_TYPE_FIELDS = 16_384;
/** Bytes all the type definitions of one stream may take together. */
export const DEFAULT_MAX_TYPE_DEFINITION_BYTES = 1024 * 1024;
/** A message cut by a chunk boundary starts in a buffer this big at most, grown as bytes arrive. */
const INITIAL_PARTIAL_BYTES = 4096;
/** A byte count takes one byte, or a byte holding -n then n bytes (n up to 8). */
const MAX_PREFIX_BYTES = 9;

export interface GobDecoderOptions extends GobBudget {
  /**
   * The largest message accepted, in bytes; a larger declared length throws
   * GobFrameTooLargeError before any of it is buffered. Default 16 MiB.
   */
  maxMessageBytes?: number;
}

/**
 * Reads a gob stream, one per connection: type definitions are remembered, each value is handed
 * on as plain JavaScript, read by the sender's type:
 * - bool → boolean; string → string; float → number; []byte → Buffer;
 * - int and uint → number when within Number.MAX_SAFE_INTEGER, else bigint;
 * - slices and arrays → arrays; a map keyed by string → a plain object, any other map → a Map;
 * - a struct → a plain object holding every field of the sender's type, in its order, the
 *   fields gob left out (zero) set to their zero value: 0, '', false, empty Buffer, [], {} or
 *   an empty Map, a zero struct (null for a struct inside itself, which Go holds by pointer);
 * - a value of a type that marshals itself (GobEncoder, BinaryMarshaler, TextMarshaler) fails
 *   its message; such a struct field left out (zero) → null;
 * - a nil interface → null.
 *
 * A value message that does not decode arrives as an UndecodableValue and the stream goes on.
 * Thrown, and from then on thrown by every push(): a message longer than maxMessageBytes, a
 * broken byte count or type definition (GobStreamError), a non-nil interface value
 * (GobUnsupportedTypeError: it may carry type definitions of its own).
 */
export class GobDecoder {
  readonly #maxMessageBytes: number;
  /** The next value message is the rest of one that failed on an interface value. */
  #passOverValue = false;
  readonly #elementsPerByte: number;
  readonly #elementAllowance: number;
  readonly #maxTypes: number;
  readonly #maxTypeFields: number;
  readonly #maxTypeDefinitionBytes: number;
  #types = 0;
  #typeFields = 0;
  #typeDefinitionBytes = 0;
  #lastValueElements = 0;
  readonly #plans = new DecodePlans();
  readonly #reader = new GobReader();
  /** The start of a byte count cut by the end of the last chunk. */
  readonly #prefix = Buffer.alloc(MAX_PREFIX_BYTES);
  #prefixFilled = 0;
  /** The message being completed from later chunks: its declared length, the bytes so far. */
  #partial: Buffer | undefined;
  #partialLength = 0;
  #partialFilled = 0;
  #failure: GobError | undefined;

  constructor(options: GobDecoderOptions = {}) {
    this.#maxMessageBytes = positiveInteger(
      'maxMessageBytes',
      options.maxMessageBytes,
      DEFAULT_MAX_MESSAGE_BYTES,
    );
    this.#elementsPerByte = positiveInteger(
      'elementsPerByte',
      options.elementsPerByte,
      DEFAULT_ELEMENTS_PER_BYTE,
    );
    this.#elementAllowance = positiveInteger(
      'elementAllowance',
      options.elementAllowance,
      DEFAULT_ELEMENT_ALLOWANCE,
    );
    this.#maxTypes = positiveInteger('maxTypes', options.maxTypes, DEFAULT_MAX_TYPES);
    this.#maxTypeFields = positiveInteger('maxTypeFields', options.maxTypeFields, DEFAULT_MAX_TYPE_FIELDS);
    this.#maxTypeDefinitionBytes = positiveInteger(
      'maxTypeDefinitionBytes',
      options.maxTypeDefinitionBytes,
      DEFAULT_MAX_TYPE_DEFINITION_BYTES,
    );
  }

  /** Elements the last value handed on made: what holding it costs. */
  get lastValueElements(): number {
    return this.#lastValueElements;
  }

  /** Whether part of a message (or of its length prefix) is held, waiting for more bytes. */
  get midMessage(): boolean {
    return this.#partial !== undefined || this.#prefixFilled > 0;
  }

  /**
   * Whether decoded structs, slices, arrays and maps keep the Go type they arrived as (see
   * GO_WIRE_TYPE): on by default; off for values that are never sent again (an RPC header).
   */
  set keepGoTypes(keep: boolean) {
    this.#plans.keepGoTypes = keep;
  }

  /** Feeds bytes, cut anywhere, and hands every complete value to `onValue`. */
  push(chunk: Buffer, onValue: (value: unknown) => void): void {
    if (this.#failure !== undefined) throw this.#failure;
    try {
      this.#push(chunk, onValue);
    } catch (error) {
      if (error instanceof GobError) this.#failure = error;
      throw error;
    }
  }

  #push(chunk: Buffer, onValue: (value: unknown) => void): void {
    let offset = 0;
    while (offset < chunk.length) {
      if (this.#partial !== undefined) {
        offset = this.#fillPartial(chunk, offset);
        if (this.#partialFilled < this.#partialLength) return;
        const message = this.#partial;
        this.#partial = undefined;
        this.#handle(message, 0, this.#partialLength, onValue);
        continue;
      }
      let length: number;
      if (this.#prefixFilled === 0 && prefixLength(chunk[offset]!) <= chunk.length - offset) {
        length = this.#readLength(chunk, offset);
        offset += prefixLength(chunk[offset]!);
      } else {
        if (this.#prefixFilled === 0) checkPrefixByte(chunk[offset]!);
        this.#prefix[this.#prefixFilled++] = chunk[offset++]!;
        if (this.#prefixFilled < prefixLength(this.#prefix[0]!)) continue;
        this.#prefixFilled = 0;
        length = this.#readLength(this.#prefix, 0);
      }
      if (chunk.length - offset >= length) {
        this.#handle(chunk, offset, offset + length, onValue);
        offset += length;
      } else {
        this.#partialLength = length;
        this.#partialFilled = 0;
        this.#partial = Buffer.allocUnsafe(
          Math.min(length, Math.max(INITIAL_PARTIAL_BYTES, chunk.length - offset)),
        );
      }
    }
  }

  /** Reads a complete byte count at `at` and checks it against the limit. */
  #readLength(bytes: Buffer, at: number): number {
    const first = checkPrefixByte(bytes[at]!);
    let length = first;
    if (first > 0x7f) {
      length = 0;
      // Past 2^53 the sum is inexact, but far past any limit all the same.
      for (let i = 1; i <= 256 - first; i++) length = length * 256 + bytes[at + i]!;
    }
    if (length > this.#maxMessageBytes) throw new GobFrameTooLargeError(length, this.#maxMessageBytes);
    return length;
  }

  /** Copies what the chunk holds of the partial message, growing its buffer no further than needed. */
  #fillPartial(chunk: Buffer, offset: number): number {
    const take = Math.min(this.#partialLength - this.#partialFilled, chunk.length - offset);
    const needed = this.#partialFilled + take;
    let partial = this.#partial!;
    if (needed > partial.length) {
      const grown = Buffer.allocUnsafe(Math.min(this.#partialLength, Math.max(needed, partial.length * 2)));
      partial.copy(grown, 0, 0, this.#partialFilled);
      partial = grown;
      this.#partial = grown;
    }
    chunk.copy(partial, this.#partialFilled, offset, offset + take);
    this.#partialFilled = needed;
    return offset + take;
  }

  /** One whole message: a type definition (negative id) or a value (positive id). */
  #handle(bytes: Buffer, start: number, end: number, onValue: (value: unknown) => void): void {
    if (start === end) {
      onValue(new UndecodableValue('gob: empty message'));
      return;
    }
    const r = this.#reader;
    r.reset(bytes, start, end);
    let id: number | bigint;
    try {
      id = r.readInt();
    } catch (error) {
      onValue(new UndecodableValue(`gob: cannot read the type id: ${(error as Error).message}`));
      return;
    }
    if (id < 0) {
      this.#define(id, r, end - start);
      return;
    }
    if (this.#passOverValue) {
      // The rest of a value that failed on an interface (see InterfaceValueFound): already answered.
      this.#passOverValue = false;
      return;
    }
    if (typeof id === 'bigint' || id === 0 || id > 0x7fffffff) {
      onValue(new UndecodableValue(`gob: bad type id ${id}`));
      return;
    }
    let value: unknown;
    const budget = (end - start) * this.#elementsPerByte + this.#elementAllowance;
    r.elementBudget = budget;
    try {
      value = this.#plans.decodeValue(id, r);
    } catch (error) {
      if (error instanceof ElementBudgetSpent) {
        throw new GobBudgetError(
          `${error.path || 'the value'}: a message of ${end - start} bytes may make ${budget} elements (elementsPerByte, elementAllowance); it asked for ${budget - r.elementBudget}`,
        );
      }
      // Its message is lost (the call fails), not the stream: the types it defined are kept.
      if (error instanceof InterfaceValueFound) {
        for (const { negativeId, wire, bytes } of error.definitions) this.#register(negativeId, wire, bytes);
        this.#passOverValue = error.continues;
      }
      if (!(error instanceof DecodeFailure)) throw error;
      value = new UndecodableValue(`gob: cannot decode ${error.path || 'the value'}: ${error.message}`);
    }
    this.#lastValueElements = budget - r.elementBudget;
    onValue(value);
  }

  #define(negativeId: number | bigint, r: GobReader, bytes: number): void {
    let wire: WireType;
    try {
      wire = readWireType(r);
    } catch (error) {
      if (!(error instanceof DecodeFailure)) throw error;
      throw new GobStreamError(`type definition ${-negativeId}: ${error.message}`, { cause: error });
    }
    if (r.remaining > 0)
      throw new GobStreamError(`type definition ${-negativeId}: ${r.remaining} bytes after its end`);
    this.#register(negativeId, wire, bytes);
  }

  /** Defines a type the peer sent, in a message of its own or inside an interface value, within the budgets. */
  #register(negativeId: number | bigint, wire: WireType, bytes: number): void {
    const id = -Number(negativeId);
    if (typeof negativeId === 'bigint' || id > 0x7fffffff)
      throw new GobStreamError(`bad type id ${-negativeId}`);
    if (id < FIRST_USER_ID) throw new GobStreamError(`type id ${id} is reserved and cannot be defined`);
    if (this.#plans.isDefined(id)) throw new GobStreamError(`type id ${id} defined twice`);
    if (++this.#types > this.#maxTypes) {
      throw new GobBudgetError(`more than ${this.#maxTypes} type definitions on one stream (maxTypes)`);
    }
    this.#typeDefinitionBytes += bytes;
    if (this.#typeDefinitionBytes > this.#maxTypeDefinitionBytes) {
      throw new GobBudgetError(
        `type definitions of more than ${this.#maxTypeDefinitionBytes} bytes on one stream (maxTypeDefinitionBytes)`,
      );
    }
    if (wire.kind === 'struct') {
      this.#typeFields += wire.fields.length;
      if (this.#typeFields > this.#maxTypeFields) {
        throw new GobBudgetError(
          `type definitions declaring more than ${this.#maxTypeFields} struct fields on one stream (maxTypeFields)`,
        );
      }
    }
    try {
      this.#plans.define(id, wire);
    } catch (error) {
      if (!(error instanceof DecodeFailure)) throw error;
      throw new GobStreamError(`type definition ${id}: ${error.message}`, { cause: error });
    }
  }
}

/** The bytes a byte count starting with `first` takes. */
function prefixLength(first: number): number {
  return first <= 0x7f ? 1 : 1 + (256 - first);
}

function checkPrefixByte(first: number): number {
  if (first > 0x7f && 256 - first > 8) {
    throw new GobStreamError(`message byte count starts with 0x${first.toString(16)}: more than 8 bytes`);
  }
  return first;
}

function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  const chosen = value ?? fallback;
  if (!Number.isSafeInteger(chosen) || chosen < 1) {
    throw new GobInvalidOptionError(`${name} must be a positive integer, got ${chosen}`);
  }
  return chosen;
}
