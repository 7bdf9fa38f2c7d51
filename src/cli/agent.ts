// `npm run agent -- --etcd <endpoints>`: a load host that runs its share of runs coordinated through etcd.
import { Command } from 'commander';
import { AgentError } from '../harness/distributed/errors.ts';
import { DEFAULT_AGENTS_PREFIX } from '../harness/distributed/fleet-keys.ts';
import { AGENT_LEASE_TTL_S, LoadAgent } from '../harness/distributed/load-agent.ts';
import { EtcdUnavailableError } from '../registry/errors.ts';
import { list, parseCommandLine, positiveInteger } from './arguments.ts';
import { EXIT_FAILURE, EXIT_OK } from './exit-codes.ts';
import { runProgram } from './run-program.ts';

interface AgentOptions {
  etcd: string[];
  name?: string;
  threads?: number;
  prefix: string;
}

function buildProgram(): Command {
  return new Command()
    .name('npm run agent --')
    .description(
      'A load host: registers in etcd (under a lease that expires ' +
        `${AGENT_LEASE_TTL_S}s after it stops answering), waits for runs started with ` +
        '`npm run bench -- ... --agents-etcd <endpoints>`, runs its share of each phase and writes what it ' +
        'measured back to etcd. SIGINT or SIGTERM stops it and revokes its lease.\n' +
        'Exit codes: 0 stopped by a signal, 1 could not register or lost etcd, 2 bad command line.',
    )
    .requiredOption(
      '--etcd <endpoints>',
      'etcd endpoints, comma-separated, e.g. http://10.0.0.5:2379',
      list(String),
    )
    .option('--name <name>', 'the name runs know this host by (default <hostname>-<pid>)')
    .option(
      '--threads <n>',
      "load threads on this host (default: the scenario's loadThreads)",
      positiveInteger,
    )
    .option(
      '--prefix <prefix>',
      'the etcd key prefix of the load hosts and their runs',
      DEFAULT_AGENTS_PREFIX,
    )
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });
}

async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  const parsed = parseCommandLine(program, argv);
  if (parsed !== undefined) return parsed;
  const options = program.opts<AgentOptions>();
  const log = (line: string) => process.stderr.write(`agent: ${line}\n`);
  let agent: LoadAgent;
  try {
    agent = await LoadAgent.start({
      etcd: options.etcd,
      prefix: options.prefix,
      log,
      ...(options.name === undefined ? {} : { name: options.name }),
      ...(options.threads === undefined ? {} : { threads: options.threads }),
    });
  } catch (error) {
    if (error instanceof AgentError || error instanceof EtcdUnavailableError) {
      log(error.message);
      return EXIT_FAILURE;
    }
    throw error;
  }
  const stopped = new Promise<number>((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      log(`stopping (${signal}): revoking the lease`);
      resolve(EXIT_OK);
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  });
  const status = await Promise.race([
    stopped,
    agent.lost.catch((error: Error) => {
      log(error.message);
      return EXIT_FAILURE;
    }),
  ]);
  await agent.close();
  return status;
}

runProgram(import.meta.url, 'agent', () => main(process.argv.slice(2)), { exitAtOnce: true });
