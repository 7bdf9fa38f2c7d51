import { request } from 'node:http';
import { InvalidArgumentError } from '../util/errors.ts';
import { RegistryUnavailableError } from './errors.ts';
import { JSON_CONTENT_TYPE, SERVER_HEADER, SERVERS_HEADER } from './registry-protocol.ts';

export const DEFAULT_REGISTRY_REQUEST_TIMEOUT_MS = 5_000;
/** A registry's answer longer than this is refused (10,000 addresses of 256 bytes take 2.6 MB). */
export const MAX_REGISTRY_ANSWER_BYTES = 16 * 1024 * 1024;
/** How much of an error answer's body is quoted in the error. */
const QUOTED_ERROR_BYTES = 512;

interface RegistryAnswer {
  headers: NodeJS.Dict<string | string[]>;
  body: string;
}

/** Throws unless `url` is an http:// URL: the registry speaks plain HTTP, as GeeRPC's does. */
export function parseRegistryUrl(url: string, name = 'registryUrl'): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InvalidArgumentError(`${name} must be an http:// URL, got "${url}"`);
  }
  if (parsed.protocol !== 'http:') {
    throw new InvalidArgumentError(`${name} must be an http:// URL, got "${url}"`);
  }
  return parsed;
}

/**
 * Asks the registry for its live servers, asking for the whole list as JSON in the body; a
 * registry that answers with GeeRPC's `X-Geerpc-Servers` header only (Go's) is read from that.
 */
export async function fetchRegisteredServers(
  url: URL,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<string[]> {
  const { headers, body } = await registryRequest(
    url,
    'GET',
    { Accept: JSON_CONTENT_TYPE },
    timeoutMs,
    signal,
  );
  if ((headers['content-type'] ?? '').toString().startsWith(JSON_CONTENT_TYPE)) {
    return parseServersBody(url, body);
  }
  const value = headers[SERVERS_HEADER.toLowerCase()];
  const list = Array.isArray(value) ? value.join(',') : (value ?? '');
  return list
    .split(',')
    .map((server) => server.trim())
    .filter((server) => server.length > 0);
}

function parseServersBody(url: URL, body: string): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (error) {
    throw new RegistryUnavailableError(url.href, 'GET answered JSON that does not parse', { cause: error });
  }
  const servers = (parsed as { servers?: unknown } | null)?.servers;
  if (!Array.isArray(servers) || !servers.every((server) => typeof server === 'string')) {
    throw new RegistryUnavailableError(url.href, 'GET answered JSON without a "servers" array of strings');
  }
  return servers.map((server) => server.trim()).filter((server) => server.length > 0);
}

/** Registers `address`, or renews its registration. */
export async function sendHeartbeat(
  url: URL,
  address: string,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<void> {
  await registryRequest(url, 'POST', { [SERVER_HEADER]: address }, timeoutMs, signal);
}

/**
 * One request on its own connection (no keep-alive: nothing lingers to hold a process open),
 * bounded by `timeoutMs` from start to the end of the response.
 */
function registryRequest(
  url: URL,
  method: 'GET' | 'POST',
  headers: Record<string, string>,
  timeoutMs: number,
  signal: AbortSignal | undefined,
): Promise<RegistryAnswer> {
  return new Promise((resolve, reject) => {
    const fail = (reason: string, cause?: unknown) =>
      reject(new RegistryUnavailableError(url.href, reason, cause === undefined ? undefined : { cause }));
    const req = request(url, { method, headers, agent: false, signal });
    const timer =
      timeoutMs > 0
        ? setTimeout(() => {
            fail(`no answer within ${timeoutMs} ms`);
            req.destroy();
          }, timeoutMs)
        : undefined;
    req.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      fail(error.name === 'AbortError' ? 'request aborted' : (error.code ?? error.message), error);
    });
    req.on('response', (response) => {
      const status = response.statusCode ?? 0;
      const limit = status === 200 ? MAX_REGISTRY_ANSWER_BYTES : QUOTED_ERROR_BYTES;
      const chunks: Buffer[] = [];
      let bytes = 0;
      response.on('data', (chunk: Buffer) => {
        if (bytes >= limit) {
          if (status !== 200) return;
          clearTimeout(timer);
          fail(`${method} answered more than ${MAX_REGISTRY_ANSWER_BYTES} bytes`);
          req.destroy();
          return;
        }
        chunks.push(chunk);
        bytes += chunk.length;
      });
      response.on('error', (error) => {
        clearTimeout(timer);
        fail(error.message, error);
      });
      response.on('end', () => {
        clearTimeout(timer);
        const body = Buffer.concat(chunks).toString('utf8');
        if (status === 200) {
          resolve({ headers: response.headers, body });
          return;
        }
        const said = body.slice(0, QUOTED_ERROR_BYTES).trim();
        fail(
          `${method} answered HTTP ${status} ${response.statusMessage ?? ''}`.trim() +
            (said ? `: ${said}` : ''),
        );
      });
    });
    req.end();
  });
}
