import { connect, createServer, type Server, type Socket } from 'node:net';
import { GateMeasurementError } from '../errors.ts';
import type { WindowWorkload } from './window.ts';

const LENGTH_PREFIX_BYTES = 4;

/**
 * The yardstick every RPC measurement is divided by: a minimal request/reply protocol over one
 * loopback TCP connection, with client and server in this thread, as the gate's RPC probe has them.
 * Frames are a u32 big-endian length and a JSON text `[seq, body]`; the server echoes each one
 * and each side writes once per event-loop turn, as the RPC does.
 *
 * It does what an RPC call does (encode, one write per turn, decode, match a sequence number,
 * resolve a promise) with none of this project's code, so it tracks how fast this machine runs
 * JavaScript and loopback I/O at this moment and nothing else. Baselines store figures divided by
 * it: change this file and every baseline must be rewritten (bump REFERENCE_VERSION).
 */
export const REFERENCE_VERSION = 'json-echo-1';

export class ReferenceEcho implements WindowWorkload {
  readonly #server: Server;
  readonly #client: FrameEndpoint;
  readonly #body: unknown;
  readonly #pending = new Map<number, (reply: unknown) => void>();
  #seq = 0;

  private constructor(server: Server, clientSocket: Socket, body: unknown) {
    this.#server = server;
    this.#body = body;
    this.#client = new FrameEndpoint(clientSocket, (message) => {
      const [seq, reply] = message as [number, unknown];
      const resolve = this.#pending.get(seq);
      if (resolve === undefined) throw new GateMeasurementError(`reference: reply to unknown call ${seq}`);
      this.#pending.delete(seq);
      resolve(reply);
    });
  }

  /** Starts the echo server and connects to it; `payloadBytes` sizes the echoed body as the probe's. */
  static async start(payloadBytes: number): Promise<ReferenceEcho> {
    const server = createServer((socket) => {
      const endpoint = new FrameEndpoint(socket, (message) => endpoint.send(message));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
    const address = server.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    const socket = connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve();
      });
    });
    return new ReferenceEcho(server, socket, { Payload: 'x'.repeat(payloadBytes) });
  }

  call(): Promise<unknown> {
    const seq = ++this.#seq;
    return new Promise((resolve) => {
      this.#pending.set(seq, resolve);
      this.#client.send([seq, this.#body]);
    });
  }

  async close(): Promise<void> {
    this.#client.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

/** One side of the reference connection: frames out once per event-loop turn, frames in decoded. */
class FrameEndpoint {
  readonly #socket: Socket;
  readonly #onMessage: (message: unknown) => void;
  #out: Buffer[] = [];
  #scheduled = false;
  #in: Buffer = Buffer.alloc(0);
  readonly #flush = (): void => {
    this.#scheduled = false;
    const chunks = this.#out;
    this.#out = [];
    if (!this.#socket.destroyed) this.#socket.write(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
  };

  constructor(socket: Socket, onMessage: (message: unknown) => void) {
    this.#socket = socket;
    this.#onMessage = onMessage;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('error', () => {});
  }

  send(message: unknown): void {
    const text = Buffer.from(JSON.stringify(message));
    const prefix = Buffer.allocUnsafe(LENGTH_PREFIX_BYTES);
    prefix.writeUInt32BE(text.length, 0);
    this.#out.push(prefix, text);
    if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(this.#flush);
    }
  }

  destroy(): void {
    this.#socket.destroy();
  }

  #onData(chunk: Buffer): void {
    let bytes = this.#in.length === 0 ? chunk : Buffer.concat([this.#in, chunk]);
    let offset = 0;
    while (bytes.length - offset >= LENGTH_PREFIX_BYTES) {
      const length = bytes.readUInt32BE(offset);
      const end = offset + LENGTH_PREFIX_BYTES + length;
      if (end > bytes.length) break;
      this.#onMessage(JSON.parse(bytes.toString('utf8', offset + LENGTH_PREFIX_BYTES, end)));
      offset = end;
    }
    bytes = bytes.subarray(offset);
    this.#in = bytes;
  }
}
