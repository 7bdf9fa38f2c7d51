export {
  DEFAULT_ELEMENT_ALLOWANCE,
  DEFAULT_ELEMENTS_PER_BYTE,
  DEFAULT_MAX_MESSAGE_BYTES,
  DEFAULT_MAX_TYPE_DEFINITION_BYTES,
  DEFAULT_MAX_TYPE_FIELDS,
  DEFAULT_MAX_TYPES,
  GobDecoder,
  type GobDecoderOptions,
} from './decoder.ts';
export { compileGobType } from './encode-plan.ts';
export { GobEncoder } from './encoder.ts';
export {
  GobBudgetError,
  GobError,
  type GobErrorCode,
  GobFrameTooLargeError,
  GobInvalidOptionError,
  GobInvalidTypeError,
  GobStreamError,
  GobUnsupportedTypeError,
  GobValueError,
} from './errors.ts';
export { inferGobType } from './infer-type.ts';
export {
  GO_WIRE_TYPE,
  type GobArrayType,
  type GobBoolType,
  type GobBytesType,
  type GobFloatName,
  type GobFloatType,
  type GobIntName,
  type GobIntType,
  type GobMapType,
  type GobSliceType,
  type GobStringType,
  type GobStructField,
  type GobStructType,
  type GobType,
  GobTypedValue,
  type GobUintName,
  type GobUintType,
  gob,
  goWireTypeOf,
} from './type-hints.ts';
