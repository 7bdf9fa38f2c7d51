import { mkdir, mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import type { ThreadProfiles } from '../../result/profile-schema.ts';
import { summarizeProfiles } from './profile-summary.ts';
import { PROFILE_DIR_VARIABLE, startThreadProfile } from './thread-profile.ts';

export interface ProfiledRun<T> {
  value: T;
  /** The folder holding the `.cpuprofile` files. */
  dir: string;
  profiles: ThreadProfiles[];
}

/**
 * Runs `run` with every thread it starts profiled: this thread, and the load and server threads,
 * which read the folder from the environment they inherit when they are created. The profiles go
 * to a new folder `<outDir>/<name>-profile-XXXXXX`, beside the result.
 */
export async function profiledRun<T>(
  outDir: string,
  name: string,
  run: () => Promise<T>,
): Promise<ProfiledRun<T>> {
  await mkdir(outDir, { recursive: true });
  const dir = await mkdtemp(join(outDir, `${name}-profile-`));
  const previous = process.env[PROFILE_DIR_VARIABLE];
  process.env[PROFILE_DIR_VARIABLE] = dir;
  let value: T;
  try {
    const main = await startThreadProfile('main');
    try {
      value = await run();
    } finally {
      await main?.stop();
    }
  } finally {
    if (previous === undefined) delete process.env[PROFILE_DIR_VARIABLE];
    else process.env[PROFILE_DIR_VARIABLE] = previous;
  }
  return { value, dir, profiles: await summarizeProfiles(dir) };
}
