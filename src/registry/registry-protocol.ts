/** GeeRPC's registry protocol (day 7): one path, two headers. */
export const DEFAULT_REGISTRY_PATH = '/_geerpc_/registry';
/** Sent by a server's heartbeat (`POST`): the address it serves on. */
export const SERVER_HEADER = 'X-Geerpc-Server';
/** Answered to `GET`: the live servers, comma-separated. */
export const SERVERS_HEADER = 'X-Geerpc-Servers';
/** How long a registration lives without renewal (GeeRPC's defaultTimeout). */
export const DEFAULT_REGISTRY_EXPIRY_MS = 5 * 60_000;
/**
 * rpcbench's extension: a `GET` with `Accept: application/json` is answered with the whole list
 * in the body, `{"servers":[…]}`, however long, and no `X-Geerpc-Servers` header.
 */
export const JSON_CONTENT_TYPE = 'application/json';
/**
 * A plain `GET` (as Go's discovery sends) carries at most this many bytes of `X-Geerpc-Servers`:
 * under the 8 KiB a header line may have in common HTTP stacks, and well under Node's 16 KiB for
 * all headers. A longer list is cut at a whole address and `X-Geerpc-Servers-Truncated` is set.
 */
export const MAX_SERVERS_HEADER_BYTES = 7 * 1024;
/** Set on a plain `GET` whose header holds only part of the list: `<listed>/<total>`. */
export const SERVERS_TRUNCATED_HEADER = 'X-Geerpc-Servers-Truncated';
/** The longest address the registry accepts, in bytes. */
export const MAX_ADDRESS_BYTES = 256;
/** How many registrations the registry holds at most, by default. */
export const DEFAULT_MAX_SERVERS = 10_000;
