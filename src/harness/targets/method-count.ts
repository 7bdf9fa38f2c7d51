import { defaultDebugUrl, readDebugCounts } from './debug-counts.ts';

/**
 * A server's own count of calls to `method`, from its GeeRPC debug page: `debugUrl`, or the page
 * of an `http@` address on its own port. undefined when no page can be read or the page does not
 * list the method's service; 0 when it lists the service but not yet the method (Go lists a
 * method from the start, rpcbench once called).
 */
export async function readMethodCount(
  address: string,
  method: string,
  debugUrl = defaultDebugUrl(address),
): Promise<number | undefined> {
  if (debugUrl === undefined) return undefined;
  const counts = await readDebugCounts(debugUrl);
  const service = method.slice(0, method.lastIndexOf('.'));
  const known = counts !== undefined && [...counts.keys()].some((key) => key.startsWith(`${service}.`));
  return known ? (counts.get(method) ?? 0) : undefined;
}
