/**
 * How an XClient picks one server per call:
 * - `random`: uniform, from the discovery's (seedable) generator.
 * - `roundrobin`: each server in turn, from a random starting point.
 * - `weighted-roundrobin`: smooth weighted round robin (nginx): shares follow the weights, interleaved.
 * - `consistent-hash`: a call's `key` always reaches the same server while the list is unchanged.
 * - `p2c`: power of two choices: of two random servers, the one with fewer calls in flight.
 * - `peak-ewma`: power of two choices by peak-EWMA latency × (calls in flight + 1).
 */
export type SelectMode =
  | 'random'
  | 'roundrobin'
  | 'weighted-roundrobin'
  | 'consistent-hash'
  | 'p2c'
  | 'peak-ewma';

export const SELECT_MODES: readonly SelectMode[] = Object.freeze([
  'random',
  'roundrobin',
  'weighted-roundrobin',
  'consistent-hash',
  'p2c',
  'peak-ewma',
]);

export function isSelectMode(value: unknown): value is SelectMode {
  return typeof value === 'string' && (SELECT_MODES as readonly string[]).includes(value);
}
