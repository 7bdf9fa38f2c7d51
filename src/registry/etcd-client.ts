import { createRequire } from 'node:module';
import type { Etcd3 } from 'etcd3';
import { InvalidArgumentError } from '../util/errors.ts';
import { EtcdUnavailableError } from './errors.ts';

/** Where servers are listed in etcd: one key per server, `<prefix><address>`, the address as value. */
export const DEFAULT_ETCD_PREFIX = '/rpcbench/servers/';
export const DEFAULT_ETCD_REQUEST_TIMEOUT_MS = 5_000;

/** `"http://127.0.0.1:2379,http://127.0.0.1:22379"` or an array of the same. */
export type EtcdEndpoints = string | readonly string[];

export function parseEtcdEndpoints(endpoints: EtcdEndpoints): string[] {
  const list = (typeof endpoints === 'string' ? endpoints.split(',') : [...endpoints])
    .map((endpoint) => endpoint.trim())
    .filter((endpoint) => endpoint.length > 0);
  if (list.length === 0) {
    throw new InvalidArgumentError('etcd endpoints must name at least one host:port or http://host:port');
  }
  for (const endpoint of list) {
    if (!/^(https?:\/\/)?[^/\s]+:\d+\/?$/.test(endpoint)) {
      throw new InvalidArgumentError(
        `etcd endpoint must be host:port or http://host:port, got "${endpoint}"`,
      );
    }
  }
  return list;
}

export function validatePrefix(prefix: string): string {
  if (typeof prefix !== 'string' || prefix.length === 0) {
    throw new InvalidArgumentError('options.prefix must be a non-empty string');
  }
  return prefix;
}

export function validateTimeout(value: number, name: string): number {
  if (!Number.isFinite(value) || value <= 0) {
    throw new InvalidArgumentError(`options.${name} must be a positive number of milliseconds`);
  }
  return value;
}

/**
 * Loaded on the first client, not at start-up: etcd3 and the gRPC stack under it take about a
 * second to load on a busy machine, and most commands never talk to etcd. By require, which is
 * synchronous (etcd3 is CommonJS), so constructors that make a client stay synchronous.
 */
function loadEtcd3(): typeof import('etcd3') {
  return createRequire(import.meta.url)('etcd3') as typeof import('etcd3');
}

export function createEtcdClient(endpoints: EtcdEndpoints, requestTimeoutMs: number): Etcd3 {
  const { Etcd3 } = loadEtcd3();
  return new Etcd3({ hosts: parseEtcdEndpoints(endpoints), dialTimeout: requestTimeoutMs });
}

/**
 * Bounds an etcd operation: the client retries an unreachable etcd for a long time by itself,
 * and a caller must learn within `timeoutMs` that etcd is not there.
 */
export async function withEtcdTimeout<T>(operation: string, timeoutMs: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } catch (error) {
    throw new EtcdUnavailableError(operation, error);
  } finally {
    clearTimeout(timer);
  }
}
