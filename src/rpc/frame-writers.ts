import type { Socket } from 'node:net';
import type { Codec } from './codec/codec.ts';
import { FAULT_SLOWDOWN, SlowedFrameWriter } from './fault-injection.ts';
import { FrameWriter } from './frame-writer.ts';

/**
 * The frame writer of a connection, client or server side. The test-only fault injection's
 * writer is chosen here, once per connection, so that the write path itself never checks for it.
 */
export function createFrameWriter(socket: Socket, codec: Codec, maxBufferedBytes?: number): FrameWriter {
  return FAULT_SLOWDOWN > 0
    ? new SlowedFrameWriter(socket, codec, maxBufferedBytes)
    : new FrameWriter(socket, codec, maxBufferedBytes);
}
