/** GeeRPC's registry protocol (day 7): one path, two headers. */
export const DEFAULT_REGISTRY_PATH = '/_geerpc_/registry';
/** Sent by a server's heartbeat (`POST`): the address it serves on. */
export const SERVER_HEADER = 'X-Geerpc-Server';
/** Answered to `GET`: the live servers, comma-separated. */
export const SERVERS_HEADER = 'X-Geerpc-Servers';
/** How long a registration lives without renewal (GeeRPC's defaultTimeout). */
export const DEFAULT_REGISTRY_EXPIRY_MS = 5 * 60_000;
