import { pathToFileURL } from 'node:url';
import { EXIT_FAILURE } from './exit-codes.ts';

export interface ProgramOptions {
  /** The exit status when `main` throws: a bug, not a user error. @default EXIT_FAILURE */
  crashExitCode?: number;
  /**
   * Exit as soon as `main` settles. Servers want this: a lease or socket left open must not keep
   * the process alive. Otherwise the status is set and stdout drains first. @default false
   */
  exitAtOnce?: boolean;
}

/**
 * Runs a command's `main` when its module is the program, not when a test imports it, and turns
 * its result into the exit status.
 */
export function runProgram(
  moduleUrl: string,
  name: string,
  main: () => Promise<number>,
  options: ProgramOptions = {},
): void {
  if (process.argv[1] === undefined || moduleUrl !== pathToFileURL(process.argv[1]).href) return;
  // A reader that has seen enough (`--help | head`) closes the pipe: that ends the output, not in a crash.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(process.exitCode ?? 0);
  });
  const finish = (code: number): void => {
    if (options.exitAtOnce === true) process.exit(code);
    process.exitCode = code;
  };
  main().then(finish, (error: unknown) => {
    process.stderr.write(
      `${name}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    finish(options.crashExitCode ?? EXIT_FAILURE);
  });
}
