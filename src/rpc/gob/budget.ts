/** What one gob message and one gob stream may make a decoder hold (GobDecoderOptions has these). */
export interface GobBudget {
  /**
   * Elements (struct fields, array and slice elements, map entries: sent or zero-filled) one
   * message may make: its bytes x elementsPerByte + elementAllowance. Default 2 and 65,536.
   */
  elementsPerByte?: number;
  elementAllowance?: number;
  /** Types one stream may define. Default 1,024. */
  maxTypes?: number;
  /** Struct fields all the types of one stream may declare together. Default 16,384. */
  maxTypeFields?: number;
  /** Bytes all the type definitions of one stream may take together. Default 1 MiB. */
  maxTypeDefinitionBytes?: number;
}
