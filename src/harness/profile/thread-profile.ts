import { mkdir, writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';

/**
 * Where threads write their CPU profiles, when the run is profiled. An environment variable and
 * not a task field: worker threads inherit it, so every kind of thread (load, server, the gate's
 * and the core benchmark's) reads the one switch without each task carrying it.
 */
export const PROFILE_DIR_VARIABLE = 'RPCBENCH_PROFILE_DIR';

/** What a profiled thread does: the report groups the profiles by it. */
export type ThreadKind = 'main' | 'load' | 'server';

/** Sampling interval of the V8 profiler: fine enough for calls of a few microseconds. */
const SAMPLING_INTERVAL_US = 100;

let sequence = 0;

export interface ThreadProfile {
  /** Stops the profiler and writes `<kind>-<pid>-<thread>-<n>.cpuprofile`; resolves to its path. */
  stop(): Promise<string>;
}

/** The profile folder of this run, or undefined when it is not profiled. */
export function profileDir(): string | undefined {
  const dir = process.env[PROFILE_DIR_VARIABLE];
  return dir === undefined || dir === '' ? undefined : dir;
}

/**
 * Starts V8's CPU profiler on this thread (an inspector session on the thread's own isolate), when
 * the run is profiled; undefined otherwise, at the cost of one environment read.
 */
export async function startThreadProfile(kind: ThreadKind): Promise<ThreadProfile | undefined> {
  const dir = profileDir();
  if (dir === undefined) return undefined;
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: SAMPLING_INTERVAL_US });
  await session.post('Profiler.start');
  let stopped: Promise<string> | undefined;
  return {
    stop() {
      stopped ??= (async () => {
        const { profile } = await session.post('Profiler.stop');
        session.disconnect();
        await mkdir(dir, { recursive: true });
        const path = join(dir, `${kind}-${process.pid}-${threadId}-${sequence++}.cpuprofile`);
        await writeFile(path, JSON.stringify(profile));
        return path;
      })();
      return stopped;
    },
  };
}
