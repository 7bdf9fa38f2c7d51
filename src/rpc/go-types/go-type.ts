import type { GobFloatName, GobIntName, GobUintName } from '../gob/type-hints.ts';

/**
 * A Go type with every name looked up: what a value is converted to from JSON, sent as by gob,
 * and printed as by json.Marshal. `display` is the type as Go names it in messages.
 */
export type GoType = { readonly display: string } & (
  | { readonly kind: 'bool' }
  | { readonly kind: 'string' }
  | { readonly kind: 'int'; readonly goName: GobIntName }
  | { readonly kind: 'uint'; readonly goName: GobUintName }
  | { readonly kind: 'float'; readonly goName: GobFloatName }
  /** []byte: base64 in JSON, gob's own bytes on the wire. */
  | { readonly kind: 'bytes' }
  | { readonly kind: 'pointer'; readonly elem: GoType }
  | { readonly kind: 'slice'; readonly elem: GoType }
  | { readonly kind: 'array'; readonly elem: GoType; readonly length: number }
  | { readonly kind: 'map'; readonly key: GoType; readonly elem: GoType }
  | GoStructType
);

export interface GoStructType {
  readonly kind: 'struct';
  readonly name: string;
  readonly fields: readonly GoField[];
}

export interface GoField {
  /** The Go field name; an embedded field is named after its type. */
  readonly name: string;
  readonly embedded: boolean;
  readonly type: GoType;
  /** The `json:"…"` tag: its name ('' for none), `-` to leave the field out, omitempty. */
  readonly jsonName: string;
  readonly jsonSkip: boolean;
  readonly omitEmpty: boolean;
}

/** The integer ranges Go's kinds hold; `int` and `uint` are 64 bits, as on every 64-bit platform. */
export const INTEGER_RANGES: Record<GobIntName | GobUintName, readonly [bigint, bigint]> = {
  int: [-(2n ** 63n), 2n ** 63n - 1n],
  int8: [-128n, 127n],
  int16: [-32768n, 32767n],
  int32: [-(2n ** 31n), 2n ** 31n - 1n],
  int64: [-(2n ** 63n), 2n ** 63n - 1n],
  uint: [0n, 2n ** 64n - 1n],
  uint8: [0n, 255n],
  uint16: [0n, 65535n],
  uint32: [0n, 2n ** 32n - 1n],
  uint64: [0n, 2n ** 64n - 1n],
};

/** The largest finite float32. */
export const MAX_FLOAT32 = 3.4028234663852886e38;
