/**
 * What every case sends: a small object whose JSON text is exactly ECHO_PAYLOAD_BYTES long, so
 * that the RPC codecs, grpc-js and the raw echo all move about the same number of bytes per call.
 */
export const ECHO_PAYLOAD_BYTES = 100;

export interface EchoPayload {
  Id: number;
  Name: string;
  Data: string;
}

export const ECHO_PAYLOAD: EchoPayload = Object.freeze({
  Id: 123456,
  Name: 'bench',
  Data: 'x'.repeat(62),
});

/** What the Go server's `Bench.Echo(string, *string)` is sent: a string of ECHO_PAYLOAD_BYTES characters. */
export const ECHO_STRING = 'x'.repeat(ECHO_PAYLOAD_BYTES);

/** The raw echo's frame: a u32 big-endian length, then ECHO_PAYLOAD_BYTES bytes. */
export function rawEchoFrame(): Buffer {
  const body = Buffer.from(JSON.stringify(ECHO_PAYLOAD));
  const frame = Buffer.allocUnsafe(4 + body.length);
  frame.writeUInt32BE(body.length, 0);
  body.copy(frame, 4);
  return frame;
}
