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

let dispatched: { moduleUrl: string; usageName: string } | undefined;

/**
 * Makes the command module at `moduleUrl` the program, as if node had started it: the `rpcbench`
 * binary calls this with the subcommand's module, then imports it.
 */
export function dispatchTo(moduleUrl: string, usageName: string): void {
  dispatched = { moduleUrl, usageName };
}

/** How the chosen command is invoked (`rpcbench bench`), for its usage line; undefined when node started it. */
export function dispatchedUsageName(): string | undefined {
  return dispatched?.usageName;
}

/**
 * Runs a command's `main` when its module is the program (started by node, or chosen by the
 * `rpcbench` binary), not when a test imports it, and turns its result into the exit status.
 */
export function runProgram(
  moduleUrl: string,
  name: string,
  main: () => Promise<number>,
  options: ProgramOptions = {},
): void {
  const started = process.argv[1] === undefined ? undefined : pathToFileURL(process.argv[1]).href;
  if (moduleUrl !== started && moduleUrl !== dispatched?.moduleUrl) return;
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
