import { formatAddress, parseAddress } from '../../rpc/address.ts';

/** Where GeeRPC (Go's and rpcbench's) serves its debug page on an HTTP server. */
export const DEBUG_PATH = '/debug/geerpc';
/** A debug page larger than this is not read: it lists services, not data. */
export const MAX_DEBUG_PAGE_BYTES = 1024 * 1024;
export const DEBUG_READ_TIMEOUT_MS = 3_000;

/** The debug page of an `http@` server, on the same port; undefined for other transports. */
export function defaultDebugUrl(address: string): string | undefined {
  const endpoint = parseAddress(address);
  if (endpoint.transport !== 'http') return undefined;
  const hostPort = formatAddress(endpoint).slice('http@'.length);
  return `http://${hostPort}${DEBUG_PATH}`;
}

/**
 * Call counts by `Service.Method` from a GeeRPC debug page. Both layouts are read: Go's template
 * (`Service Foo` ... `<td …>Sum(main.Args, *int) error</td><td …>3</td>`) and rpcbench's
 * (`<h2>Service Foo</h2>` ... `<td>Sum</td><td>3</td>`).
 */
export function parseDebugPage(html: string): Map<string, number> {
  const counts = new Map<string, number>();
  const sections = html.split(/Service\s+(?=[A-Za-z_]\w*\s*(?:<|\n|\r))/);
  for (const section of sections.slice(1)) {
    const service = /^[A-Za-z_]\w*/.exec(section)?.[0];
    if (service === undefined) continue;
    const row = /<td[^>]*>\s*([A-Za-z_]\w*)(?:\([^<]*)?<\/td>\s*<td[^>]*>\s*(\d+)\s*<\/td>/g;
    for (const match of section.matchAll(row)) counts.set(`${service}.${match[1]}`, Number(match[2]));
  }
  return counts;
}

export interface DebugPageLimits {
  /** A page larger than this is not read. @default MAX_DEBUG_PAGE_BYTES */
  maxBytes?: number;
  /** From the request to the page's last byte. @default DEBUG_READ_TIMEOUT_MS */
  timeoutMs?: number;
}

/**
 * Reads one debug page; undefined when it cannot be had (not served, larger than `maxBytes`, not
 * whole within `timeoutMs`, unparsable): a hostile page costs at most that much memory and time.
 */
export async function readDebugCounts(
  url: string,
  { maxBytes = MAX_DEBUG_PAGE_BYTES, timeoutMs = DEBUG_READ_TIMEOUT_MS }: DebugPageLimits = {},
): Promise<Map<string, number> | undefined> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok || response.body === null) return undefined;
    const chunks: Uint8Array[] = [];
    let bytes = 0;
    for await (const chunk of response.body) {
      bytes += chunk.byteLength;
      // Leaving the loop cancels the body: the connection is not read further.
      if (bytes > maxBytes) return undefined;
      chunks.push(chunk);
    }
    const counts = parseDebugPage(Buffer.concat(chunks).toString('utf8'));
    return counts.size === 0 ? undefined : counts;
  } catch {
    return undefined;
  }
}
