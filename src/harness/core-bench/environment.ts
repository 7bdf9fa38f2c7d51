import { execFileSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import type { Environment } from '../../result/result-schema.ts';

export type CoreBenchEnvironment = Environment;

/** Where the figures were measured: they mean little without it. */
export function collectEnvironment(): CoreBenchEnvironment {
  const cpuList = cpus();
  return {
    node: process.version,
    platform: process.platform,
    arch: process.arch,
    cpuModel: cpuList[0]?.model ?? 'unknown',
    cores: Math.max(cpuList.length, 1),
    totalMemoryBytes: totalmem(),
    gitCommit: gitCommit(),
  };
}

function gitCommit(): string | null {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return null;
  }
}
