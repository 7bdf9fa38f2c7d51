import { dial } from '../../rpc/dial.ts';
import { isRpcError } from '../../util/errors.ts';
import { HOSTILE_SERVER_KINDS, type HostileServerKind, startHostileServer } from './hostile-servers.ts';

/** A call to a hostile server gives up after this: a silent one is never waited on for long. */
const HOSTILE_CALL_TIMEOUT_MS = 1_000;

/** What the load tester's client saw of each hostile server. */
export type HostileTargetTallies = Record<
  HostileServerKind,
  { calls: number; errorsByCode: Record<string, number> }
>;

/**
 * The load tester's side of the soak: every kind of hostile server, each dialed again and again
 * by this process (gob, as Go GeeRPC speaks) until `signal` aborts. Each call must fail with a
 * typed error, never hang or crash this process; the soak samples this process's RSS meanwhile.
 */
export async function driveHostileTargets(signal: AbortSignal): Promise<HostileTargetTallies> {
  const servers = await Promise.all(HOSTILE_SERVER_KINDS.map((kind) => startHostileServer(kind)));
  const tallies = Object.fromEntries(
    HOSTILE_SERVER_KINDS.map((kind) => [kind, { calls: 0, errorsByCode: {} }]),
  ) as HostileTargetTallies;
  try {
    await Promise.all(
      servers.map(async (server) => {
        const tally = tallies[server.kind];
        while (!signal.aborted) {
          tally.calls++;
          const code = await oneCall(server.address);
          tally.errorsByCode[code] = (tally.errorsByCode[code] ?? 0) + 1;
        }
      }),
    );
  } finally {
    await Promise.all(servers.map((server) => server.close()));
  }
  return tallies;
}

/** One dial and call; the error code it ended with (`OK` if the hostile server somehow answered). */
async function oneCall(address: string): Promise<string> {
  let client: Awaited<ReturnType<typeof dial>> | undefined;
  try {
    client = await dial(address, {
      codec: 'application/gob',
      connectTimeoutMs: HOSTILE_CALL_TIMEOUT_MS,
      callTimeoutMs: HOSTILE_CALL_TIMEOUT_MS,
    });
    await client.call('Foo.Sum', { Num1: 1, Num2: 2 });
    return 'OK';
  } catch (error) {
    return isRpcError(error) ? error.code : 'UNTYPED';
  } finally {
    await client?.close().catch(() => undefined);
  }
}
