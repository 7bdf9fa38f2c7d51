import { randomBytes, randomInt } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { getCodec } from '../../rpc/codec/codecs.ts';
import { findHandshakeEnd, parseHandshake } from '../../rpc/handshake.ts';
import { OutputBuffer } from '../../rpc/output-buffer.ts';
import {
  GOB_HEADER_DEFINITION,
  gobHeader,
  gobSelfHoldingArray,
  gobTypeDefinitions,
  gobZeroValueBomb,
} from './hostile-gob.ts';

/** How a hostile server treats the load tester that dials it. */
export type HostileServerKind =
  | 'silent'
  | 'gob-zero-value-bomb'
  | 'gob-self-holding-array'
  | 'gob-type-flood'
  | 'unsolicited-replies'
  | 'garbage'
  | 'endless-connect-answer';

export const HOSTILE_SERVER_KINDS: readonly HostileServerKind[] = [
  'silent',
  'gob-zero-value-bomb',
  'gob-self-holding-array',
  'gob-type-flood',
  'unsolicited-replies',
  'garbage',
  'endless-connect-answer',
];

/** What a flooding server queues before it waits for the client to read. */
const FLOOD_QUEUE_BYTES = 256 * 1024;
const GARBAGE_CHUNK_BYTES = 4096;
/** Type definitions per write of the type flood, and int fields in each. */
const TYPE_FLOOD_BATCH = 64;
const TYPE_FLOOD_FIELDS = 32;
/** The first type id free after GeeRPC's header type (65). */
const FIRST_FREE_TYPE_ID = 66;
/** The status line of GeeRPC's CONNECT answer, which the endless answer never finishes. */
const CONNECT_STATUS_LINE = 'HTTP/1.0 200 Connected to Gee RPC\r\n';

export interface HostileServer {
  kind: HostileServerKind;
  /** `tcp@127.0.0.1:port`, or `http@127.0.0.1:port` for the endless CONNECT answer. */
  address: string;
  /** Connections accepted so far. */
  readonly connections: number;
  close(): Promise<void>;
}

/**
 * Starts a server on loopback that accepts the handshake and then misbehaves as `kind` says: it
 * never answers, answers a gob zero-value bomb or a self-holding type, floods gob type definitions
 * that never come to a value, floods replies to calls never made (random sequence numbers, in the
 * codec the client chose), answers random bytes, or (an http@ target) answers the CONNECT request
 * with a head that never ends.
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
    if (kind === 'endless-connect-answer') answerConnectEndlessly(socket);
    else afterHandshake(socket, (codec) => misbehave(kind, socket, codec));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, resolve);
  });
  const { port } = server.address() as { port: number };
  return {
    kind,
    address: `${kind === 'endless-connect-answer' ? 'http' : 'tcp'}@${host}:${port}`,
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
    case 'gob-type-flood': {
      let nextId = FIRST_FREE_TYPE_ID;
      flood(socket, () => {
        const batch = gobTypeDefinitions(nextId, TYPE_FLOOD_BATCH, TYPE_FLOOD_FIELDS);
        nextId += TYPE_FLOOD_BATCH;
        return batch;
      });
      return;
    }
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
    case 'endless-connect-answer':
      return; // answered before any handshake, in answerConnectEndlessly
  }
}

/** Answers whatever the client sends first with a CONNECT status line and header lines forever. */
function answerConnectEndlessly(socket: Socket): void {
  socket.once('data', () => {
    socket.write(CONNECT_STATUS_LINE);
    flood(socket, () => Buffer.from(`X-Pad: ${'a'.repeat(GARBAGE_CHUNK_BYTES)}\r\n`));
  });
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
