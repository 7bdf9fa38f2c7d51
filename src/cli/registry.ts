// `npm run registry -- [--listen host:port] [--allow pattern]…`: GeeRPC's HTTP registry, until SIGINT or SIGTERM.
import { Command } from 'commander';
import { compilePattern, LOOPBACK_ONLY } from '../registry/allow-list.ts';
import {
  DEFAULT_MAX_SERVERS,
  DEFAULT_REGISTRY_EXPIRY_MS,
  DEFAULT_REGISTRY_PATH,
} from '../registry/registry-protocol.ts';
import { RegistryServer } from '../registry/registry-server.ts';
import { isRpcError } from '../util/errors.ts';
import {
  parseCommandLine,
  positiveInteger,
  projectArgument,
  repeatable,
  wholeMilliseconds,
} from './arguments.ts';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from './exit-codes.ts';
import { runProgram } from './run-program.ts';

export const DEFAULT_REGISTRY_LISTEN = '127.0.0.1:9999';

interface RawRegistryOptions {
  listen: string;
  expiry: number;
  path: string;
  allow?: string[];
  maxServers: number;
}

function buildCommand(): Command {
  return new Command()
    .name('npm run registry --')
    .description(
      'Runs the GeeRPC registry: servers POST a heartbeat with X-Geerpc-Server, clients GET X-Geerpc-Servers. ' +
        'Prints its URL on stdout, then runs until SIGINT or SIGTERM.\n' +
        'Exit codes: 0 stopped cleanly, 1 could not listen, 2 bad command line.',
    )
    .option('--listen <host:port>', 'where to listen; port 0 picks a free one', DEFAULT_REGISTRY_LISTEN)
    .option(
      '--expiry <ms>',
      'a server not renewed for this long is dropped; 0 keeps servers forever; milliseconds, or with a unit: 30s, 5m',
      wholeMilliseconds,
      DEFAULT_REGISTRY_EXPIRY_MS,
    )
    .option('--path <path>', 'the HTTP path', DEFAULT_REGISTRY_PATH)
    .option(
      '--allow <pattern>',
      'accept addresses matching this pattern, e.g. tcp@127.0.0.1:*, *@10.0.0.*:*, unix@/tmp/*.sock, * (anything); ' +
        'repeatable; replaces the default, loopback only: ' +
        LOOPBACK_ONLY.join(' '),
      repeatable(
        projectArgument((value: string) => {
          compilePattern(value, '--allow');
          return value;
        }),
      ),
    )
    .option(
      '--max-servers <n>',
      'registrations held at most; new addresses beyond it are refused with 503',
      positiveInteger,
      DEFAULT_MAX_SERVERS,
    )
    .allowExcessArguments(false)
    .showHelpAfterError('(npm run registry -- --help shows the usage)');
}

async function main(argv: readonly string[]): Promise<number> {
  const command = buildCommand();
  const parsed = parseCommandLine(command, argv);
  if (parsed !== undefined) return parsed;
  const options = command.opts<RawRegistryOptions>();
  let registry: RegistryServer;
  let url: string;
  try {
    registry = new RegistryServer({
      expiryMs: options.expiry,
      path: options.path,
      allow: options.allow ?? LOOPBACK_ONLY,
      maxServers: options.maxServers,
    });
    url = await registry.listen(options.listen);
  } catch (error) {
    if (isRpcError(error, 'ERR_INVALID_ARGUMENT')) {
      process.stderr.write(`error: ${error.message}\n`);
      return EXIT_USAGE;
    }
    const code = (error as NodeJS.ErrnoException).code;
    process.stderr.write(
      `registry: cannot listen on ${options.listen}: ${(error as Error).message}${code ? ` (${code})` : ''}\n`,
    );
    return EXIT_FAILURE;
  }
  process.stdout.write(`${url}\n`);
  process.stderr.write(`registry: accepting ${registry.allow.join(' ')}\n`);
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  process.stderr.write(`registry: ${signal}, stopping\n`);
  await registry.close();
  return EXIT_OK;
}

runProgram(import.meta.url, 'registry', () => main(process.argv.slice(2)), { exitAtOnce: true });
