import type { PhaseResult } from '../result/result-schema.ts';
import { msToSeconds } from '../util/units.ts';
import type { EventMark } from './chart-spec.ts';

/** More marks than this on one chart would hide it: the first ones are drawn, the count says the rest. */
export const MAX_MARKS = 200;

/** The phase's ejections and returns as chart marks, in time order, at most MAX_MARKS. */
export function eventMarks(phase: PhaseResult): EventMark[] {
  const servers = phase.servers.map((server) => server.address);
  return (phase.events ?? []).slice(0, MAX_MARKS).map((event) => ({
    second: msToSeconds(event.atMs),
    kind: event.kind,
    server: servers.indexOf(event.address),
  }));
}
