import { readMethodCount } from '../../harness/targets/method-count.ts';
import type { CorrectnessOutcome } from '../correctness.ts';
import type { Side } from './duet-side.ts';

/** One build's own counts of the called method, by server; undefined where no debug page was read. */
export type ServerCounts = Map<string, number | undefined>;

/**
 * Reads the called method's count on every server of one build from its GeeRPC debug page
 * (`debugUrls[address]`, or the page of an `http@` address on its own port).
 */
export async function readServerCounts(
  addresses: readonly string[],
  method: string,
  debugUrls: Readonly<Record<string, string>>,
): Promise<ServerCounts> {
  const entries = await Promise.all(
    addresses.map(
      async (address) => [address, await readMethodCount(address, method, debugUrls[address])] as const,
    ),
  );
  return new Map(entries);
}

/**
 * What the servers of one build counted against what its caller saw, when every server's debug
 * page was read before and after: each answered call was counted, and no more calls than were sent
 * (a failed call may or may not have reached its handler). undefined when some page could not be
 * read: the client-side rows stand alone then, and nothing fails for want of a page.
 */
export function serverCountOutcome(
  scenario: string,
  phase: string,
  side: Side,
  before: ServerCounts,
  after: ServerCounts,
  broadcast: boolean,
): CorrectnessOutcome | undefined {
  const addresses = [...after.keys()];
  if (addresses.length === 0) return undefined;
  let counted = 0;
  for (const address of addresses) {
    const [start, end] = [before.get(address), after.get(address)];
    if (start === undefined || end === undefined || end < start) return undefined;
    counted += end - start;
  }
  const reach = broadcast ? addresses.length : 1;
  const [low, high] = [side.answered * reach, (side.answered + side.failed) * reach];
  return {
    scenario,
    phase: `${phase} › ${side.name}`,
    check: 'server-counts',
    expected: low === high ? `${low} counted` : `${low}..${high} counted`,
    actual: `${counted} counted by ${addresses.length} server(s)' debug pages`,
    passed: counted >= low && counted <= high,
  };
}
