import { randomBytes, randomInt } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { getCodec } from '../../rpc/codec/codecs.ts';
import { findHandshakeEnd, parseHandshake } from '../../rpc/handshake.ts';
import { OutputBuffer } from '../../rpc/output-buffer.ts';
import { GOB_HEADER_DEFINITION, gobHeader, gobSelfHoldingArray, gobZeroValueBomb } from './hostile-gob.ts';

/** How a hostile server treats the load tester that dials it. */
export type HostileServerKind =
  | 'silent'
  | 'gob-zero-value-bomb'
  | 'gob-self-holding-array'
  | 'unsolicited-replies'
  | 'garbage';

export const HOSTILE_SERVER_KINDS: readonly HostileServerKind[] = [
  'silent',
  'gob-zero-value-bomb',
  'gob-self-holding-array',
  'unsolicited-replies',
  'garbage',
];

/** What a flooding server queues before it waits for the client to read. */
const FLOOD_QUEUE_BYTES = 256 * 1024;
const GARBAGE_CHUNK_BYTES = 4096;

export interface HostileServer {
  kind: HostileServerKind;
  /** `tcp@127.0.0.1:port`. */
  address: string;
  /** Connections accepted so far. */
  readonly connections: number;
  close(): Promise<void>;
}

/**
 * Starts a server on loopback that accepts the handshake and then misbehaves as `kind` says: it
 * never answers, answers a gob zero-value bomb or a self-holding type, floods replies to calls
 * never made (random sequence numbers, in the codec the client chose), or answers random bytes.
 */
export async function startHostileServer(
  kind: HostileServerKind,
  host = '127.0.0.1',
): Promise<HostileServer> {
  const sockets = new Set<Socket>();
  let connections = 0;
  const server: Server = createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('error', () => {});
    socket.once('close', () => sockets.delete(socket));
    afterHandshake(socket, (codec) => misbehave(kind, socket, codec));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, resolve);
  });
  const { port } = server.address() as { port: number };
  return {
    kind,
    address: `tcp@${host}:${port}`,
    get connections() {
      return connections;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Waits for the client's handshake and hands on the codec it asked for. */
function afterHandshake(
  socket: Socket,
  then: (codec: ReturnType<typeof parseHandshake>['codec']) => void,
): void {
  let bytes = Buffer.alloc(0);
  const onData = (chunk: Buffer) => {
    bytes = Buffer.concat([bytes, chunk]);
    let end: number;
    try {
      end = findHandshakeEnd(bytes);
      if (end === -1) return;
      socket.off('data', onData);
      then(parseHandshake(bytes.subarray(0, end)).codec);
    } catch {
      socket.destroy();
    }
  };
  socket.on('data', onData);
}

function misbehave(
  kind: HostileServerKind,
  socket: Socket,
  codec: ReturnType<typeof parseHandshake>['codec'],
): void {
  switch (kind) {
    case 'silent':
      socket.resume(); // reads every call, answers none
      return;
    case 'gob-zero-value-bomb':
      socket.write(Buffer.concat([GOB_HEADER_DEFINITION, gobHeader('Foo.Sum', 1), gobZeroValueBomb()]));
      socket.resume();
      return;
    case 'gob-self-holding-array':
      socket.write(Buffer.concat([GOB_HEADER_DEFINITION, gobHeader('Foo.Sum', 1), gobSelfHoldingArray()]));
      socket.resume();
      return;
    case 'unsolicited-replies': {
      const encoder = getCodec(codec).createEncoder();
      const out = new OutputBuffer();
      flood(socket, () => {
        for (let i = 0; i < 64; i++) {
          encoder.encodeHeader({ ServiceMethod: 'Foo.Sum', Seq: randomInt(1, 2 ** 48), Error: '' }, out);
          encoder.encode(0, out);
        }
        return out.take();
      });
      return;
    }
    case 'garbage':
      flood(socket, () => randomBytes(GARBAGE_CHUNK_BYTES));
      return;
  }
}

/** Writes as fast as the client reads, until the socket closes. */
function flood(socket: Socket, next: () => Buffer): void {
  socket.resume();
  const write = () => {
    while (!socket.destroyed && socket.writableLength < FLOOD_QUEUE_BYTES) socket.write(next());
    if (!socket.destroyed) socket.once('drain', write);
  };
  write();
}
