// `npm run registry -- [--listen host:port]`: GeeRPC's HTTP registry, until SIGINT or SIGTERM.
import { Command } from 'commander';
import { DEFAULT_REGISTRY_EXPIRY_MS, DEFAULT_REGISTRY_PATH } from '../registry/registry-protocol.ts';
import { RegistryServer } from '../registry/registry-server.ts';
import { isRpcError } from '../util/errors.ts';
import { parseCommandLine, wholeMilliseconds } from './arguments.ts';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from './exit-codes.ts';
import { runProgram } from './run-program.ts';

export const DEFAULT_REGISTRY_LISTEN = '127.0.0.1:9999';

interface RawRegistryOptions {
  listen: string;
  expiry: number;
  path: string;
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
    registry = new RegistryServer({ expiryMs: options.expiry, path: options.path });
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
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  process.stderr.write(`registry: ${signal}, stopping\n`);
  await registry.close();
  return EXIT_OK;
}

runProgram(import.meta.url, 'registry', () => main(process.argv.slice(2)), { exitAtOnce: true });
