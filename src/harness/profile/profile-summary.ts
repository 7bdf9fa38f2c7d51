import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { ProfileFunction, ThreadProfiles } from '../../result/profile-schema.ts';
import { usToMs } from '../../util/units.ts';
import type { ThreadKind } from './thread-profile.ts';

/** Functions listed per kind of thread. */
export const TOP_FUNCTIONS = 15;

/** The parts of V8's `.cpuprofile` (Chrome DevTools' Profiler.Profile) read here. */
interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  samples: number[];
  timeDeltas: number[];
}

const KINDS: readonly ThreadKind[] = ['main', 'load', 'server'];
/** Not work: the thread waiting, and the tree's root. */
const NOT_BUSY = new Set(['(idle)', '(root)']);

/** Self time in µs per function (`name\u0000location`) of one profile, added to `into`. */
export function addSelfTimes(profile: CpuProfile, into: Map<string, number>): void {
  const keyOf = new Map<number, string>();
  for (const node of profile.nodes) {
    const { functionName, url, lineNumber } = node.callFrame;
    const name = functionName === '' ? '(anonymous)' : functionName;
    const location = url === '' ? '' : `${basename(url)}:${lineNumber + 1}`;
    keyOf.set(node.id, `${name}\u0000${location}`);
  }
  // Sample i was taken timeDeltas[i] after the one before: that time is charged to it.
  for (let i = 0; i < profile.samples.length; i++) {
    const key = keyOf.get(profile.samples[i]!);
    if (key === undefined || NOT_BUSY.has(key.slice(0, key.indexOf('\u0000')))) continue;
    into.set(key, (into.get(key) ?? 0) + Math.max(profile.timeDeltas[i] ?? 0, 0));
  }
}

/** The heaviest functions by self time, out of the summed self times of one kind of thread. */
export function topFunctions(selfUs: ReadonlyMap<string, number>, count = TOP_FUNCTIONS): ProfileFunction[] {
  let busyUs = 0;
  for (const us of selfUs.values()) busyUs += us;
  return [...selfUs.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([key, us]) => {
      const [functionName = '', location = ''] = key.split('\u0000');
      return {
        functionName,
        location,
        selfMs: usToMs(us),
        selfPercent: busyUs > 0 ? (us / busyUs) * 100 : 0,
      };
    });
}

/** Reads every `.cpuprofile` in `dir` and summarizes them per kind of thread (by file name). */
export async function summarizeProfiles(dir: string): Promise<ThreadProfiles[]> {
  const names = (await readdir(dir)).filter((name) => name.endsWith('.cpuprofile')).sort();
  const summaries: ThreadProfiles[] = [];
  for (const kind of KINDS) {
    const files = names.filter((name) => name.startsWith(`${kind}-`)).map((name) => join(dir, name));
    if (files.length === 0) continue;
    const selfUs = new Map<string, number>();
    for (const file of files) addSelfTimes(JSON.parse(await readFile(file, 'utf8')) as CpuProfile, selfUs);
    let busyUs = 0;
    for (const us of selfUs.values()) busyUs += us;
    summaries.push({ kind, files, busyMs: usToMs(busyUs), top: topFunctions(selfUs) });
  }
  return summaries;
}

/** The summaries as text: the heaviest functions of each kind of thread. */
export function formatProfiles(profiles: readonly ThreadProfiles[], count = 8): string {
  const lines: string[] = [];
  for (const profile of profiles) {
    lines.push(
      `CPU profile, ${profile.kind} threads (${profile.files.length} files, ${profile.busyMs.toFixed(0)} ms busy):`,
    );
    for (const fn of profile.top.slice(0, count)) {
      lines.push(
        `  ${fn.selfPercent.toFixed(1).padStart(5)} %  ${fn.selfMs.toFixed(1).padStart(8)} ms  ${fn.functionName}  ${fn.location}`,
      );
    }
  }
  return lines.join('\n');
}
