import { setMaxListeners } from 'node:events';
import { connect, type Socket } from 'node:net';
import { parseAddress } from '../../rpc/address.ts';
import type { CodecName } from '../../rpc/codec/codec.ts';
import { encodeHandshake } from '../../rpc/handshake.ts';
import { InvalidArgumentError } from '../../util/errors.ts';

/** What the client side of an attack may queue before it waits for the server to read. */
const SEND_QUEUE_BYTES = 1024 * 1024;
/** A peer that sends and never reads is replaced this often, so the attack goes on. */
const RECONNECT_EVERY_MS = 10_000;
const RECONNECT_PAUSE_MS = 100;

export type AttackKind =
  | 'pipelined-sleeps'
  | 'unknown-methods'
  | 'json-trickle'
  | 'declared-giant-frame'
  | 'idle'
  | 'no-handshake'
  | 'http-held-open';

export interface AttackPlan {
  kind: AttackKind;
  /** Connections of this kind kept open at once. */
  connections: number;
}

/** The mix the soak runs: every attack that once took a server down, from several connections. */
export const SOAK_ATTACKS: readonly AttackPlan[] = [
  { kind: 'pipelined-sleeps', connections: 4 },
  { kind: 'unknown-methods', connections: 2 },
  { kind: 'json-trickle', connections: 4 },
  { kind: 'declared-giant-frame', connections: 4 },
  { kind: 'idle', connections: 200 },
  { kind: 'no-handshake', connections: 4 },
  { kind: 'http-held-open', connections: 20 },
];

export interface AttackTallies {
  /** Connections opened, by attack. */
  opened: Record<AttackKind, number>;
  /** Connections the server closed, by attack. */
  closedByServer: Record<AttackKind, number>;
  /** Bytes written, by attack. */
  bytesSent: Record<AttackKind, number>;
}

export interface Targets {
  /** `tcp@host:port` of the server. */
  tcp: string;
  /** `http@host:port` of the same server. */
  http: string;
}

function emptyTallies(): AttackTallies {
  const zero = () =>
    Object.fromEntries(SOAK_ATTACKS.map((plan) => [plan.kind, 0])) as Record<AttackKind, number>;
  return { opened: zero(), closedByServer: zero(), bytesSent: zero() };
}

/** Runs every attack of `plans` until `signal` aborts; resolves with what was done once all sockets are gone. */
export async function runAttacks(
  targets: Targets,
  plans: readonly AttackPlan[],
  signal: AbortSignal,
): Promise<AttackTallies> {
  const tallies = emptyTallies();
  // One listener per attacking connection is expected, not a leak.
  setMaxListeners(0, signal);
  const loops: Promise<void>[] = [];
  for (const plan of plans) {
    for (let i = 0; i < plan.connections; i++) loops.push(attackLoop(targets, plan.kind, tallies, signal));
  }
  await Promise.all(loops);
  return tallies;
}

/** One attacker: opens a connection, attacks until the server closes it or it is replaced, again. */
async function attackLoop(
  targets: Targets,
  kind: AttackKind,
  tallies: AttackTallies,
  signal: AbortSignal,
): Promise<void> {
  while (!signal.aborted) {
    const address = kind === 'http-held-open' ? targets.http : targets.tcp;
    const socket = await open(address).catch(() => undefined);
    if (socket === undefined) {
      await pause(100, signal);
      continue;
    }
    tallies.opened[kind]++;
    let closedByUs = false;
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    const replace = setTimeout(() => {
      closedByUs = true;
      socket.destroy();
    }, RECONNECT_EVERY_MS);
    const stop = () => {
      closedByUs = true;
      socket.destroy();
    };
    signal.addEventListener('abort', stop, { once: true });
    const send = (bytes: Buffer | string): boolean => {
      if (socket.destroyed) return false;
      tallies.bytesSent[kind] += typeof bytes === 'string' ? Buffer.byteLength(bytes) : bytes.length;
      socket.write(bytes);
      return true;
    };
    await Promise.race([attack(kind, socket, send, signal), closed]);
    await closed;
    clearTimeout(replace);
    signal.removeEventListener('abort', stop);
    if (!closedByUs) tallies.closedByServer[kind]++;
    // A peer the server closed comes back, at a bounded rate.
    if (!closedByUs) await pause(RECONNECT_PAUSE_MS, signal);
  }
}

type Send = (bytes: Buffer | string) => boolean;

/** The attack itself; it returns when it has nothing more to do on this connection. */
async function attack(kind: AttackKind, socket: Socket, send: Send, signal: AbortSignal): Promise<void> {
  switch (kind) {
    case 'pipelined-sleeps': {
      socket.pause(); // never read a reply
      send(jsonHandshake());
      const frame = jsonFrame('Foo.Sleep', { Num1: 86_400, Num2: 0 });
      await flood(socket, send, () => frame, signal);
      return;
    }
    case 'unknown-methods': {
      socket.pause();
      send(jsonHandshake());
      const frame = jsonFrame(`No.${'x'.repeat(64 * 1024)}`, null);
      await flood(socket, send, () => frame, signal);
      return;
    }
    case 'json-trickle': {
      send(jsonHandshake());
      const line = jsonFrame('Foo.Sum', { Num1: 1, Num2: 2, Padding: 'p'.repeat(1024 * 1024) });
      for (let i = 0; i < line.length && !signal.aborted; i++) {
        if (!send(line.subarray(i, i + 1))) return;
        await pause(1, signal);
      }
      return;
    }
    case 'declared-giant-frame': {
      send(encodeHandshake({ codec: 'application/msgpack', connectTimeoutMs: 10_000, handleTimeoutMs: 0 }));
      const prefix = Buffer.alloc(4);
      prefix.writeUInt32BE(15 * 1024 * 1024);
      send(prefix);
      while (!signal.aborted && send(Buffer.alloc(10, 0xa0))) await pause(1000, signal);
      return;
    }
    case 'idle':
      send(jsonHandshake());
      await pause(RECONNECT_EVERY_MS * 2, signal);
      return;
    case 'no-handshake':
      send(Buffer.from('this is not a GeeRPC option\n'));
      await pause(1000, signal);
      return;
    case 'http-held-open':
      send('GET /debug/geerpc HTTP/1.1\r\nHost: soak\r\n\r\n');
      await pause(RECONNECT_EVERY_MS * 2, signal);
      return;
  }
}

/** Writes frames as fast as the server reads them, never reading a byte back. */
async function flood(socket: Socket, send: Send, frame: () => Buffer, signal: AbortSignal): Promise<void> {
  while (!signal.aborted && !socket.destroyed) {
    if (socket.writableLength > SEND_QUEUE_BYTES) {
      await Promise.race([
        new Promise((resolve) => socket.once('drain', resolve)),
        new Promise((resolve) => socket.once('close', resolve)),
        pause(1000, signal),
      ]);
      continue;
    }
    if (!send(frame())) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

function jsonHandshake(codec: CodecName = 'application/json'): Buffer {
  return encodeHandshake({ codec, connectTimeoutMs: 10_000, handleTimeoutMs: 0 });
}

let seq = 0;
function jsonFrame(serviceMethod: string, body: unknown): Buffer {
  seq++;
  return Buffer.from(
    `${JSON.stringify({ ServiceMethod: serviceMethod, Seq: seq, Error: '' })}\n${JSON.stringify(body)}\n`,
  );
}

async function open(address: string): Promise<Socket> {
  const endpoint = parseAddress(address);
  if (endpoint.transport === 'unix')
    throw new InvalidArgumentError(`the soak attacks tcp and http addresses, not ${address}`);
  return new Promise((resolve, reject) => {
    const socket = connect(endpoint.port, endpoint.host);
    socket.setNoDelay(true);
    socket.on('error', () => {});
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.off('error', reject);
      socket.resume(); // reads (and drops) replies, so a close by the server is seen; floods pause it
      resolve(socket);
    });
  });
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
