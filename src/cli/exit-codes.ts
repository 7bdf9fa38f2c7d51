import { RpcError } from '../util/errors.ts';

/**
 * The exit statuses of every command-line tool, and no others.
 *
 * Success: `bench` ran its scenarios and every threshold held; `bench:core` always ends here once
 * it has measured; `call` got its replies; `serve` and `registry` stopped cleanly after a signal;
 * `report` wrote the page; the gate passed, or wrote its baseline. Also after `--help` and
 * `--version`.
 */
export const EXIT_OK = 0;
/**
 * The command ran and the outcome is a failure: `bench` saw a threshold fail or the run fail;
 * `call` made its call and it failed; `serve` and `registry` could not listen (a port in use) or
 * register; the gate found a regression, a failed correctness check or a broken scenario
 * threshold (and with `--write-baseline` wrote nothing).
 */
export const EXIT_FAILURE = 1;
/**
 * The command line or the input is wrong, so nothing was decided: an unknown or malformed option,
 * a missing argument, an invalid scenario file (`bench`, the gate), a result file that is not
 * valid (`report`), invalid JSON arguments or address (`call`). For the gate also: it cannot
 * decide, because the baseline is missing or was written for something else.
 */
export const EXIT_USAGE = 2;
/**
 * 128 + SIGINT, as shells report a process stopped by Ctrl-C: `bench` stopped by Ctrl-C (after
 * writing a partial result), `serve` stopped by a second signal while calls were in flight.
 */
export const EXIT_INTERRUPTED = 130;
/** 128 + SIGTERM: `bench` stopped by SIGTERM, after writing a partial result as for Ctrl-C. */
export const EXIT_TERMINATED = 143;

/** A command-line option that breaks its rule; the message names the option. */
export class CliUsageError extends RpcError {
  constructor(message: string) {
    super('ERR_CLI_USAGE', message);
  }
}
