import { RpcError } from '../util/errors.ts';

/** Exit statuses shared by the command-line tools. */
export const EXIT_OK = 0;
/** The command ran and failed: a port in use, a server that would not start. */
export const EXIT_FAILURE = 1;
/** The command line itself was wrong: nothing was started. */
export const EXIT_USAGE = 2;
/** 128 + SIGINT, as shells report a process stopped by a second Ctrl-C. */
export const EXIT_INTERRUPTED = 130;

/** A command-line option that breaks its rule; the message names the option. */
export class CliUsageError extends RpcError {
  constructor(message: string) {
    super('ERR_CLI_USAGE', message);
  }
}
