import { request } from 'node:http';
import { InvalidArgumentError } from '../util/errors.ts';
import { RegistryUnavailableError } from './errors.ts';
import { SERVER_HEADER, SERVERS_HEADER } from './registry-protocol.ts';

export const DEFAULT_REGISTRY_REQUEST_TIMEOUT_MS = 5_000;

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

/** Asks the registry for its live servers. */
export async function fetchRegisteredServers(
  url: URL,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<string[]> {
  const headers = await registryRequest(url, 'GET', {}, timeoutMs, signal);
  const value = headers[SERVERS_HEADER.toLowerCase()];
  const list = Array.isArray(value) ? value.join(',') : (value ?? '');
  return list
    .split(',')
    .map((server) => server.trim())
    .filter((server) => server.length > 0);
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
): Promise<NodeJS.Dict<string | string[]>> {
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
      response.resume();
      response.on('error', (error) => {
        clearTimeout(timer);
        fail(error.message, error);
      });
      response.on('end', () => {
        clearTimeout(timer);
        const status = response.statusCode ?? 0;
        if (status === 200) resolve(response.headers);
        else fail(`${method} answered HTTP ${status} ${response.statusMessage ?? ''}`.trim());
      });
    });
    req.end();
  });
}
