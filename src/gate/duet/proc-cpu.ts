import { readdirSync, readFileSync } from 'node:fs';
import { GateConfigError } from '../errors.ts';

/**
 * The CPU time a process has run, in nanoseconds: the sum over its threads of the first field of
 * /proc/<pid>/task/<tid>/schedstat (time on a CPU, in ns). /proc/<pid>/stat counts in clock
 * ticks (10 ms), too coarse for windows of 100 ms. Linux only; throws GateConfigError when the
 * process cannot be read.
 */
export function processCpuNs(pid: number): number {
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch (error) {
    throw new GateConfigError(`--pid ${pid}: cannot read /proc/${pid}/task: ${(error as Error).message}`);
  }
  let total = 0;
  for (const task of tasks) {
    try {
      total += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // A thread that ended between the listing and the read has nothing more to add.
    }
  }
  return total;
}
