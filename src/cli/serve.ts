// `npm run serve -- [--listen <address>]...`: a GeeRPC-compatible server exposing Foo and Bench.
import { Command } from 'commander';
import { type AnnounceOptions, announce } from '../registry/announcement.ts';
import { DEFAULT_ETCD_PREFIX, parseEtcdEndpoints } from '../registry/etcd-client.ts';
import { parseRegistryUrl } from '../registry/registry-client.ts';
import { parseAddress } from '../rpc/address.ts';
import {
  CODEC_NAMES,
  CODEC_SHORT_NAME_LIST,
  type CodecName,
  DEFAULT_MAX_FRAME_BYTES,
} from '../rpc/codec/codec.ts';
import { Bench, Foo } from '../rpc/server/builtin-services.ts';
import {
  DEFAULT_FRAME_TIMEOUT_MS,
  DEFAULT_IDLE_TIMEOUT_MS,
  DEFAULT_MAX_CONNECTIONS,
  DEFAULT_MAX_IN_FLIGHT_PER_CONNECTION,
  Server,
  type ServerOptions,
} from '../rpc/server/server.ts';
import { isRpcError } from '../util/errors.ts';
import {
  codecArgument,
  gobBudgetFrom,
  gobBudgetOptions,
  parseCommandLine,
  positiveInteger,
  projectArgument,
  type RawGobBudgetOptions,
  repeatable,
  wholeMilliseconds,
} from './arguments.ts';
import { EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE } from './exit-codes.ts';
import { runProgram } from './run-program.ts';

export const DEFAULT_LISTEN_ADDRESS = 'tcp@127.0.0.1:9999';

/** What the command line asked for, checked and with defaults applied. */
export interface ServeOptions {
  /** Addresses to listen on, in the order given. */
  listen: string[];
  /** Passed to the Server as they are. */
  server: Pick<
    ServerOptions,
    | 'codecs'
    | 'handleTimeoutMs'
    | 'maxFrameBytes'
    | 'maxInFlightPerConnection'
    | 'maxConnections'
    | 'idleTimeoutMs'
    | 'frameTimeoutMs'
    | 'gobBudget'
  >;
  /** Where the bound addresses are made known: a registry (heartbeat), etcd (lease) or both. */
  announce?: AnnounceOptions;
}

interface RawServeOptions extends RawGobBudgetOptions {
  listen?: string[];
  codec?: CodecName[];
  handleTimeout?: number;
  maxFrameBytes?: number;
  maxInFlight?: number;
  maxConnections?: number;
  idleTimeout?: number;
  frameTimeout?: number;
  registry?: string;
  etcd?: string;
  etcdPrefix: string;
}

/** The command definition alone: further options (a registry, etcd endpoints) are added here. */
export function buildServeCommand(
  writeErr: (text: string) => void = (text) => process.stderr.write(text),
): Command {
  const command = new Command()
    .name('npm run serve --')
    .description(
      'Serves Foo.Sum (Num1 + Num2), Foo.Sleep (answers after Num1 seconds) and Bench.Echo (returns its arguments) over GeeRPC until SIGINT or SIGTERM, then stops accepting, ' +
        'lets calls in flight finish and exits 0. Prints each bound address on its own line.\n' +
        'Exit codes: 0 stopped cleanly, 1 could not listen, 2 bad command line, 130 stopped by a second signal.',
    )
    .option(
      '--listen <address>',
      `tcp@host:port, unix@/path or http@host:port; repeat for several; port 0 picks a free port (default ${DEFAULT_LISTEN_ADDRESS})`,
      repeatable(
        projectArgument((address) => {
          parseAddress(address);
          return address;
        }),
      ),
    )
    .option(
      '--codec <name>',
      `a codec clients may use: ${CODEC_SHORT_NAME_LIST.join(', ')} or the full name; repeat for several (default: ${CODEC_NAMES.join(', ')})`,
      repeatable(codecArgument),
    )
    .option(
      '--handle-timeout <ms>',
      'answer a call still running after this long with a timeout error; a client may ask for less; milliseconds, or with a unit: 500ms, 10s (default 0: no limit)',
      wholeMilliseconds,
    )
    .option(
      '--max-frame-bytes <n>',
      `close connections that send a larger frame (default ${DEFAULT_MAX_FRAME_BYTES})`,
      positiveInteger,
    )
    .option(
      '--max-in-flight <n>',
      `calls handled at once per connection; at the limit the connection is not read until one finishes (default ${DEFAULT_MAX_IN_FLIGHT_PER_CONNECTION})`,
      positiveInteger,
    )
    .option(
      '--max-connections <n>',
      `connections open at once; further ones are closed at once (default ${DEFAULT_MAX_CONNECTIONS})`,
      positiveInteger,
    )
    .option(
      '--idle-timeout <ms>',
      `close a connection with no call in flight and no bytes for this long; 0: never (default ${DEFAULT_IDLE_TIMEOUT_MS / 1000}s)`,
      wholeMilliseconds,
    )
    .option(
      '--frame-timeout <ms>',
      `close a connection whose frame is still incomplete after this long; 0: never (default ${DEFAULT_FRAME_TIMEOUT_MS / 1000}s)`,
      wholeMilliseconds,
    )
    .option(
      '--registry <url>',
      'renew every bound address in this GeeRPC registry (heartbeat), e.g. http://127.0.0.1:9999/_geerpc_/registry',
      projectArgument((url) => parseRegistryUrl(url, '--registry').href),
    )
    .option(
      '--etcd <endpoints>',
      'register every bound address in etcd under a lease, e.g. http://127.0.0.1:2379 (comma-separated for several)',
      projectArgument((endpoints) => parseEtcdEndpoints(endpoints).join(',')),
    )
    .option('--etcd-prefix <prefix>', 'the etcd key prefix to register under', DEFAULT_ETCD_PREFIX);
  return gobBudgetOptions(command).allowExcessArguments(false).exitOverride().configureOutput({ writeErr });
}

/**
 * Parses `argv` (without node and the script); throws CommanderError for help and bad options,
 * after writing the message to `writeErr`.
 */
export function parseServeOptions(argv: readonly string[], writeErr?: (text: string) => void): ServeOptions {
  const command = buildServeCommand(writeErr);
  command.parse([...argv], { from: 'user' });
  return toServeOptions(command.opts<RawServeOptions>());
}

function toServeOptions(raw: RawServeOptions): ServeOptions {
  const server: ServeOptions['server'] = {};
  if (raw.codec !== undefined) server.codecs = [...new Set(raw.codec)];
  if (raw.handleTimeout !== undefined) server.handleTimeoutMs = raw.handleTimeout;
  if (raw.maxFrameBytes !== undefined) server.maxFrameBytes = raw.maxFrameBytes;
  if (raw.maxInFlight !== undefined) server.maxInFlightPerConnection = raw.maxInFlight;
  if (raw.maxConnections !== undefined) server.maxConnections = raw.maxConnections;
  if (raw.idleTimeout !== undefined) server.idleTimeoutMs = raw.idleTimeout;
  if (raw.frameTimeout !== undefined) server.frameTimeoutMs = raw.frameTimeout;
  const gobBudget = gobBudgetFrom(raw);
  if (gobBudget !== undefined) server.gobBudget = gobBudget;
  const announcing: AnnounceOptions = {};
  if (raw.registry !== undefined) announcing.registry = raw.registry;
  if (raw.etcd !== undefined) {
    announcing.etcd = raw.etcd;
    announcing.etcdRegistration = { prefix: raw.etcdPrefix };
  }
  const options: ServeOptions = { listen: raw.listen ?? [DEFAULT_LISTEN_ADDRESS], server };
  if (raw.registry !== undefined || raw.etcd !== undefined) options.announce = announcing;
  return options;
}

export interface RunningServer {
  readonly server: Server;
  /** The bound addresses, with real ports where 0 was asked for. */
  readonly addresses: readonly string[];
}

/** Registers the services and listens on every address; on any failure nothing is left listening. */
export async function startServing(options: ServeOptions): Promise<RunningServer> {
  const server = new Server(options.server).register(new Foo()).register(new Bench());
  const addresses: string[] = [];
  try {
    for (const address of options.listen) addresses.push(await server.listen(address));
  } catch (error) {
    await server.destroy();
    throw error;
  }
  return { server, addresses };
}

/**
 * Resolves with the exit status once a signal has stopped the server: the first SIGINT or
 * SIGTERM drains the calls in flight, a second one drops them.
 */
export function stopOnSignal(running: RunningServer): Promise<number> {
  return new Promise((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) {
        process.stderr.write(
          `rpc server: ${signal} again, dropping ${running.server.inFlight} call(s) in flight\n`,
        );
        running.server.destroy().finally(() => resolve(EXIT_INTERRUPTED));
        return;
      }
      stopping = true;
      process.stderr.write(`rpc server: ${signal}, finishing ${running.server.inFlight} call(s) in flight\n`);
      running.server.close().then(() => {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        resolve(EXIT_OK);
      });
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

async function main(argv: readonly string[]): Promise<number> {
  const command = buildServeCommand();
  const parsed = parseCommandLine(command, argv);
  if (parsed !== undefined) return parsed;
  const options = toServeOptions(command.opts<RawServeOptions>());
  let running: RunningServer;
  try {
    running = await startServing(options);
  } catch (error) {
    if (isRpcError(error) && error.code === 'ERR_INVALID_ARGUMENT') {
      process.stderr.write(`error: ${error.message}\n`);
      return EXIT_USAGE;
    }
    const code = (error as NodeJS.ErrnoException).code;
    process.stderr.write(
      `rpc server: cannot listen: ${(error as Error).message}${code ? ` (${code})` : ''}\n`,
    );
    return EXIT_FAILURE;
  }
  for (const address of running.addresses) process.stdout.write(`rpc server listening on ${address}\n`);
  let announcement: Awaited<ReturnType<typeof announce>>;
  try {
    announcement = await announce(running.addresses, options.announce ?? {});
  } catch (error) {
    await running.server.destroy();
    process.stderr.write(`rpc server: cannot register: ${(error as Error).message}\n`);
    return EXIT_FAILURE;
  }
  // Withdrawn as soon as a signal comes, so that clients stop choosing this server while it drains.
  const withdraw = () => {
    announcement.withdraw().catch((error: Error) => process.stderr.write(`rpc server: ${error.message}\n`));
  };
  process.once('SIGINT', withdraw);
  process.once('SIGTERM', withdraw);
  const code = await stopOnSignal(running);
  await announcement.withdraw().catch(() => undefined);
  return code;
}

runProgram(import.meta.url, 'serve', () => main(process.argv.slice(2)), { exitAtOnce: true });
