/** A whole frame arrived but its content could not be decoded. */
export class UndecodableValue {
  constructor(readonly reason: string) {}
}
