import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ScenarioTransport } from '../../scenario/phase-rpc-setup.ts';

/**
 * Where server `index` of a run listens: a free loopback port, or a socket file in the temporary
 * folder named after the process and `runTag`, so that concurrent runs never collide.
 */
export function serverListenAddress(
  transport: ScenarioTransport,
  runTag: string,
  index: number,
  host = '127.0.0.1',
): string {
  if (transport === 'unix')
    return `unix@${join(tmpdir(), `rpcbench-${process.pid}-${runTag}-${index}.sock`)}`;
  return `${transport}@${host}:0`;
}
