import { connect, type Socket } from 'node:net';
import { type Endpoint, parseAddress } from './address.ts';
import { Client, type ClientOptions, type ResolvedClientOptions, resolveClientOptions } from './client.ts';
import { ConnectTimeoutError, DialError } from './errors.ts';
import { findHeadEnd, MAX_HTTP_HEAD_BYTES, startLine } from './http-head.ts';

const CONNECTED_STATUS = '200 Connected to Gee RPC';

/**
 * Connects to `tcp@host:port`, `unix@/path` or `http@host:port` (through `CONNECT`), sends the
 * handshake and returns a ready client. The whole of it is bounded by connectTimeoutMs.
 */
export async function dial(address: string, options: ClientOptions = {}): Promise<Client> {
  const resolved = resolveClientOptions(options);
  const endpoint = parseAddress(address);
  const socket =
    endpoint.transport === 'unix' ? connect(endpoint.path) : connect(endpoint.port, endpoint.host);
  let timer: NodeJS.Timeout | undefined;
  try {
    const opened = openTransport(socket, address, endpoint, resolved);
    const leftover =
      resolved.connectTimeoutMs > 0
        ? await Promise.race([
            opened,
            new Promise<never>((_, reject) => {
              timer = setTimeout(
                () => reject(new ConnectTimeoutError(address, resolved.connectTimeoutMs)),
                resolved.connectTimeoutMs,
              );
            }),
          ])
        : await opened;
    return new Client(address, socket, resolved, leftover);
  } catch (error) {
    socket.destroy();
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

/** Resolves once the socket carries the RPC stream, with any bytes already read past the HTTP head. */
function openTransport(
  socket: Socket,
  address: string,
  endpoint: Endpoint,
  options: ResolvedClientOptions,
): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) =>
      reject(new DialError(address, error.code ?? error.message, { cause: error }));
    socket.once('error', onError);
    socket.once('connect', () => {
      if (endpoint.transport !== 'http') {
        socket.off('error', onError);
        resolve(undefined);
        return;
      }
      socket.write(`CONNECT ${options.httpPath} HTTP/1.0\n\n`);
      let head = Buffer.alloc(0);
      const onData = (chunk: Buffer) => {
        head = Buffer.concat([head, chunk]);
        const end = findHeadEnd(head);
        if (end === -1) {
          if (head.length > MAX_HTTP_HEAD_BYTES) fail('HTTP response head too long');
          return;
        }
        socket.off('data', onData);
        socket.off('close', onClose);
        const status = startLine(head).replace(/^HTTP\/\d\.\d /, '');
        if (status !== CONNECTED_STATUS) {
          fail(`unexpected HTTP response "${startLine(head)}"`);
          return;
        }
        socket.off('error', onError);
        resolve(head.subarray(end));
      };
      const onClose = () => fail('connection closed during CONNECT');
      const fail = (reason: string) => {
        socket.off('data', onData);
        socket.off('close', onClose);
        reject(new DialError(address, reason));
      };
      socket.on('data', onData);
      socket.once('close', onClose);
    });
  });
}
