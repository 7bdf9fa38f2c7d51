#!/usr/bin/env node
// `rpcbench <command>`: the installed binary. Each command is its own module, loaded only when chosen.
import { runnableModule } from '../util/runnable-module.ts';
import { RPCBENCH_VERSION } from '../util/version.ts';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from './exit-codes.ts';
import { dispatchTo } from './run-program.ts';

interface CommandEntry {
  /** The command's module beside this one, by its source name. */
  module: string;
  summary: string;
}

const COMMANDS: Record<string, CommandEntry> = {
  bench: { module: 'bench', summary: 'load-test servers: a scenario file, or --target with --method' },
  call: { module: 'call', summary: 'make one call (or a broadcast) and print the reply' },
  serve: { module: 'serve', summary: 'run an RPC server with the built-in services or your own' },
  registry: { module: 'registry', summary: 'run a GeeRPC HTTP registry' },
  agent: { module: 'agent', summary: 'run a load agent that a distributed bench drives' },
  report: { module: 'report', summary: 'render a result file as HTML, Markdown, CSV or JUnit' },
  gate: { module: 'gate', summary: 'the performance regression gate against a baseline' },
  core: { module: 'bench-core', summary: 'the framework micro-benchmarks (codecs, frames, the Go peer)' },
  soak: { module: 'bench-soak', summary: 'a server under hostile traffic: RSS must stay flat' },
};

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length));
  const lines = Object.entries(COMMANDS).map(([name, entry]) => `  ${name.padEnd(width)}  ${entry.summary}`);
  return [
    'Usage: rpcbench <command> [options]',
    '',
    'A GeeRPC-compatible RPC framework and the harness that load-tests it.',
    '',
    'Commands:',
    ...lines,
    '',
    'Options:',
    '  -V, --version  print the version and exit',
    '  -h, --help     print this help; `rpcbench <command> --help` for a command',
    '',
  ].join('\n');
}

async function main(argv: readonly string[]): Promise<number | undefined> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
    process.stdout.write(usage());
    return name === undefined ? EXIT_USAGE : EXIT_OK;
  }
  if (name === '-V' || name === '--version') {
    process.stdout.write(`rpcbench ${RPCBENCH_VERSION}\n`);
    return EXIT_OK;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (command === undefined) {
    process.stderr.write(`rpcbench: unknown command ${JSON.stringify(name)}\n\n${usage()}`);
    return EXIT_USAGE;
  }
  const moduleUrl = runnableModule(new URL(`./${command.module}.ts`, import.meta.url)).href;
  // The command reads its own arguments from process.argv, as when node starts it directly.
  process.argv.splice(2, process.argv.length - 2, ...rest);
  dispatchTo(moduleUrl, usageName(name));
  await import(moduleUrl);
  return undefined;
}

/**
 * How the user started the command, for its usage line: `npm run bench:baseline --` when one of
 * this package's npm scripts ran this file (the script's text names it), else `rpcbench <name>`.
 */
function usageName(name: string): string {
  const script = process.env.npm_lifecycle_script ?? '';
  const event = process.env.npm_lifecycle_event;
  return event !== undefined && /\brpcbench\.ts\b/.test(script) ? `npm run ${event} --` : `rpcbench ${name}`;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== undefined) process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(
      `rpcbench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = EXIT_FAILURE;
  },
);
