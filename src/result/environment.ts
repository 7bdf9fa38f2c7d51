import { execFile } from 'node:child_process';
import { availableParallelism, cpus, totalmem } from 'node:os';
import type { Environment } from './result-schema.ts';

const GIT_TIMEOUT_MS = 5_000;

/** Where a run happened: what makes two result files comparable, or not. */
export async function collectEnvironment(): Promise<Environment> {
  return {
    node: process.version,
    platform: process.platform,
    arch: process.arch,
    cpuModel: cpuModel(),
    cores: availableParallelism(),
    totalMemoryBytes: totalmem(),
    gitCommit: await gitCommit(),
  };
}

/** The first CPU's model name, as the kernel reports it. */
export function cpuModel(): string {
  return cpus()[0]?.model.trim() ?? 'unknown';
}

/** `git rev-parse HEAD`, or null outside a repository or without git. */
export function gitCommit(): Promise<string | null> {
  return new Promise((resolve) => {
    execFile('git', ['rev-parse', 'HEAD'], { timeout: GIT_TIMEOUT_MS }, (error, stdout) => {
      const commit = stdout?.trim() ?? '';
      resolve(error === null && /^[0-9a-f]{40,64}$/.test(commit) ? commit : null);
    });
  });
}
