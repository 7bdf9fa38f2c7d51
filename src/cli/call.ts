// `npm run call -- [options] <address[,address...]> <Service.Method> <json>`: calls through an XClient.
import { Command, InvalidArgumentError, Option } from 'commander';
import { DEFAULT_ETCD_PREFIX } from '../registry/etcd-client.ts';
import { DEFAULT_HTTP_PATH } from '../rpc/client.ts';
import { CODEC_NAMES, CODEC_SHORT_NAME_LIST, type CodecName, shortCodecName } from '../rpc/codec/codec.ts';
import { GoTypesError, GoValueError } from '../rpc/go-types/errors.ts';
import { loadGoMethodTypes, toGoArgs } from '../rpc/go-types/go-method.ts';
import { goJsonText } from '../rpc/go-types/go-to-json.ts';
import { parseJsonKeepingIntegers } from '../rpc/go-types/parse-json.ts';
import { isRpcError } from '../util/errors.ts';
import { escapeTerminal } from '../util/escape-terminal.ts';
import { createSeededRandom } from '../util/seeded-random.ts';
import type { Discovery } from '../xclient/discovery/discovery.ts';
import { EtcdDiscovery } from '../xclient/discovery/etcd-discovery.ts';
import {
  MultiServersDiscovery,
  type MultiServersDiscoveryOptions,
} from '../xclient/discovery/multi-servers-discovery.ts';
import { RegistryDiscovery } from '../xclient/discovery/registry-discovery.ts';
import { addressOf } from '../xclient/errors.ts';
import { FAIL_MODES, type FailMode } from '../xclient/fail-mode.ts';
import { SELECT_MODES, type SelectMode } from '../xclient/select-mode.ts';
import { XClient } from '../xclient/xclient.ts';
import {
  anyInteger,
  clientLimitOptions,
  codecArgument,
  gobBudgetFrom,
  integerInRange,
  parseCommandLine,
  type RawClientLimitOptions,
  wholeMilliseconds,
} from './arguments.ts';
import { CliUsageError, EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from './exit-codes.ts';
import { runProgram } from './run-program.ts';

export const DEFAULT_CALL_MODE: SelectMode = 'roundrobin';
export const DEFAULT_CALL_TIMEOUT_MS = 10_000;
/** Many calls are for trying modes out, not for load: --bench does that. */
const MAX_COUNT = 100_000;

interface RawCallOptions extends RawClientLimitOptions {
  mode: SelectMode;
  key?: string;
  broadcast?: boolean;
  broadcastAll?: boolean;
  registry?: string;
  etcd?: string;
  etcdPrefix: string;
  codec?: CodecName;
  httpPath: string;
  timeout: number;
  failMode: FailMode;
  retries?: number;
  count: number;
  seed?: number;
  weight?: Record<string, number>;
  detailed?: boolean;
  goTypes?: string;
}

function buildCommand(writeErr: (text: string) => void): Command {
  const command = new Command()
    .name('npm run call --')
    .usage(
      '[options] <address[,address...]> <Service.Method> <json>\n       npm run call -- --registry <url> | --etcd <endpoints> [options] <Service.Method> <json>',
    )
    .description(
      'Calls Service.Method with the JSON arguments through an XClient and prints the reply as JSON. ' +
        'The servers are a comma-separated address list, or those a registry or etcd knows (the list is then left out).\n' +
        'Exit codes: 0 success, 1 the call failed, 2 bad command line.',
    )
    .argument('<arguments...>', '[address,...] Service.Method json')
    .addOption(
      new Option('--mode <mode>', 'how a server is selected per call')
        .choices(SELECT_MODES)
        .default(DEFAULT_CALL_MODE),
    )
    .option('--key <key>', 'the key consistent-hash maps to a server')
    .option('--broadcast', 'call every server; print one reply, or fail with the first error')
    .option('--broadcast-all', "call every server; print each server's outcome")
    .option(
      '--registry <url>',
      'discover servers in a GeeRPC registry, e.g. http://127.0.0.1:9999/_geerpc_/registry',
    )
    .option(
      '--etcd <endpoints>',
      'discover servers in etcd, e.g. http://127.0.0.1:2379 (comma-separated for several)',
    )
    .option('--etcd-prefix <prefix>', 'the etcd key prefix servers register under', DEFAULT_ETCD_PREFIX)
    .option(
      '--codec <name>',
      `${CODEC_SHORT_NAME_LIST.join(', ')} or ${CODEC_NAMES.join(' or ')} (default: msgpack)`,
      codecArgument,
    )
    .option(
      '--http-path <path>',
      'the CONNECT path on http@ addresses (rpcbench servers accept both spellings)',
      DEFAULT_HTTP_PATH,
    )
    .option(
      '--timeout <ms>',
      'per-call timeout, 0 for none; milliseconds, or with a unit: 500ms, 10s',
      wholeMilliseconds,
      DEFAULT_CALL_TIMEOUT_MS,
    )
    .addOption(
      new Option('--fail-mode <mode>', 'what a call does when its server is unreachable')
        .choices(FAIL_MODES)
        .default('failfast'),
    )
    .option(
      '--retries <n>',
      'further attempts for failover and failtry (default 3)',
      integerInRange(0, MAX_COUNT),
    )
    .option(
      '--count <n>',
      `make n calls, printing each reply on its own line (at most ${MAX_COUNT})`,
      integerInRange(1, MAX_COUNT),
      1,
    )
    .option('--seed <n>', 'seed for random selection, to replay a run', anyInteger)
    .option(
      '--weight <address=w>',
      'weight of a server for weighted-roundrobin; repeat for several',
      collectWeight,
    )
    .option(
      '--go-types <file.go|dir>',
      "the Go source of the service: the JSON is converted to the method's Go argument type as encoding/json would, and the reply printed as json.Marshal would (implies --codec gob)",
    )
    .option(
      '--detailed',
      'print {reply, address, attempts, latencyMs} for each call instead of the reply alone',
    )
    .showHelpAfterError('(npm run call -- --help shows the usage)')
    .configureOutput({ writeErr });
  return clientLimitOptions(command);
}

interface CallPlan {
  options: RawCallOptions;
  servers: string[] | undefined;
  serviceMethod: string;
  args: unknown;
  /** The reply as JSON text. */
  printReply: (reply: unknown) => string;
}

function plan(command: Command): CallPlan {
  const options = command.opts<RawCallOptions>();
  const positional = command.args;
  if (options.registry !== undefined && options.etcd !== undefined) {
    throw new CliUsageError('give --registry or --etcd, not both');
  }
  if (options.broadcast && options.broadcastAll)
    throw new CliUsageError('give --broadcast or --broadcast-all, not both');
  const discovered = options.registry !== undefined || options.etcd !== undefined;
  const expected = discovered ? 2 : 3;
  if (positional.length !== expected) {
    throw new CliUsageError(
      discovered
        ? `expected <Service.Method> <json> after --${options.registry !== undefined ? 'registry' : 'etcd'}, got ${positional.length} argument(s)`
        : `expected <address[,address...]> <Service.Method> <json>, got ${positional.length} argument(s)`,
    );
  }
  const [serviceMethod, json] = positional.slice(discovered ? 0 : 1) as [string, string];
  if (!/^[^.\s]+\.[^.\s]+$/.test(serviceMethod)) {
    throw new CliUsageError(`"${serviceMethod}" is not a Service.Method name`);
  }
  let args: unknown;
  try {
    args = parseJsonKeepingIntegers(json);
  } catch (error) {
    throw new CliUsageError(`invalid JSON arguments ${JSON.stringify(json)}: ${(error as Error).message}`);
  }
  if (
    options.mode === 'consistent-hash' &&
    options.key === undefined &&
    !options.broadcast &&
    !options.broadcastAll
  ) {
    throw new CliUsageError('--mode consistent-hash needs --key <key>');
  }
  const servers = discovered
    ? undefined
    : positional[0]!
        .split(',')
        .map((address) => address.trim())
        .filter((address) => address.length > 0);
  const plain = {
    options,
    servers,
    serviceMethod,
    args,
    printReply: (reply: unknown) => JSON.stringify(reply) ?? 'null',
  };
  return options.goTypes === undefined ? plain : inGoTypes(plain, options.goTypes);
}

/** The call with its arguments in the method's Go types, its reply printed as json.Marshal does. */
function inGoTypes(plan: CallPlan, goTypes: string): CallPlan {
  const codec = plan.options.codec ?? 'application/gob';
  if (codec !== 'application/gob')
    throw new CliUsageError(`--go-types needs the gob codec, not --codec ${shortCodecName(codec)}`);
  try {
    const method = loadGoMethodTypes(goTypes, plan.serviceMethod);
    return {
      ...plan,
      options: { ...plan.options, codec },
      args: toGoArgs(plan.args, method),
      printReply: (reply) => goJsonText(reply, method.reply),
    };
  } catch (error) {
    if (error instanceof GoTypesError || error instanceof GoValueError)
      throw new CliUsageError(error.message);
    throw error;
  }
}

async function createDiscovery(plan: CallPlan): Promise<Discovery> {
  const { options } = plan;
  const selection: MultiServersDiscoveryOptions = {};
  if (options.seed !== undefined) selection.random = createSeededRandom(options.seed);
  if (options.weight !== undefined) selection.weights = options.weight;
  if (options.registry !== undefined) {
    return new RegistryDiscovery(options.registry, {
      ...selection,
      requestTimeoutMs: options.timeout || undefined,
    });
  }
  if (options.etcd !== undefined) {
    return EtcdDiscovery.connect(options.etcd, {
      ...selection,
      prefix: options.etcdPrefix,
      requestTimeoutMs: options.timeout || undefined,
    });
  }
  return new MultiServersDiscovery(plan.servers!, selection);
}

async function run(plan: CallPlan, out: (line: string) => void): Promise<number> {
  const { options } = plan;
  const discovery = await createDiscovery(plan);
  const gobBudget = gobBudgetFrom(options);
  const xclient = new XClient(discovery, options.mode, {
    codec: options.codec,
    httpPath: options.httpPath,
    callTimeoutMs: options.timeout,
    connectTimeoutMs: options.timeout,
    failMode: options.failMode,
    retries: options.retries,
    ...(options.maxUnsolicitedReplies === undefined
      ? {}
      : { maxUnsolicitedReplies: options.maxUnsolicitedReplies }),
    ...(gobBudget === undefined ? {} : { gobBudget }),
  });
  const perServer = new Map<string, number>();
  try {
    for (let i = 0; i < options.count; i++) {
      if (options.broadcastAll) {
        const outcomes = await xclient.broadcastAll(plan.serviceMethod, plan.args);
        out(
          withPrinted(
            outcomes.map((o) =>
              o.error === undefined
                ? {
                    address: o.address,
                    reply: new PrintedJson(plan.printReply(o.reply)),
                    latencyMs: round(o.latencyMs),
                  }
                : { address: o.address, error: o.error.message, latencyMs: round(o.latencyMs) },
            ),
          ),
        );
      } else if (options.broadcast) {
        out(plan.printReply(await xclient.broadcast(plan.serviceMethod, plan.args)));
      } else {
        const startMs = performance.now();
        const { reply, address, attempts, endMs } = await xclient.callDetailed(
          plan.serviceMethod,
          plan.args,
          { key: options.key },
          startMs,
        );
        perServer.set(address, (perServer.get(address) ?? 0) + 1);
        const printed = new PrintedJson(plan.printReply(reply));
        const detailed = { reply: printed, address, attempts, latencyMs: round(endMs - startMs) };
        out(options.detailed ? withPrinted(detailed) : printed.text);
      }
    }
  } finally {
    await xclient.close();
    await discovery.close();
  }
  if (options.count > 1 && perServer.size > 0) {
    const tally = [...perServer].map(([address, calls]) => `${escapeTerminal(address)}: ${calls}`).join(', ');
    process.stderr.write(`calls per server: ${tally}\n`);
  }
  return EXIT_OK;
}

export async function main(
  argv: readonly string[],
  out: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
  err: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): Promise<number> {
  const command = buildCommand((text) => err(text.trimEnd()));
  const parsed = parseCommandLine(command, argv);
  if (parsed !== undefined) return parsed;
  let callPlan: CallPlan;
  try {
    callPlan = plan(command);
  } catch (error) {
    if (error instanceof CliUsageError) {
      err(`error: ${error.message}`);
      return EXIT_USAGE;
    }
    throw error;
  }
  try {
    return await run(callPlan, out);
  } catch (error) {
    if (isRpcError(error)) {
      const address = addressOf(error);
      const where = address !== undefined && !error.message.includes(address) ? ` (server ${address})` : '';
      err(`error: ${escapeTerminal(error.message)}${escapeTerminal(where)} [${error.code}]`);
      return error.code === 'ERR_INVALID_ARGUMENT' || error.code === 'ERR_INVALID_ADDRESS'
        ? EXIT_USAGE
        : EXIT_FAILURE;
    }
    throw error;
  }
}

/** JSON text already printed, placed as it is inside a larger value by withPrinted. */
class PrintedJson {
  constructor(readonly text: string) {}
}

function withPrinted(value: unknown): string {
  const texts: string[] = [];
  const marked = JSON.stringify(value, (_key, item: unknown) => {
    if (!(item instanceof PrintedJson)) return item;
    texts.push(item.text);
    return `\u0000printed${texts.length - 1}`;
  });
  return marked.replace(/"\\u0000printed(\d+)"/g, (_match, index: string) => texts[Number(index)]!);
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

function collectWeight(value: string, previous: Record<string, number> = {}): Record<string, number> {
  const equals = value.lastIndexOf('=');
  const weight = Number(value.slice(equals + 1));
  if (equals <= 0 || !Number.isFinite(weight) || weight <= 0) {
    throw new InvalidArgumentError(`expected <address>=<positive number>, got "${value}"`);
  }
  return { ...previous, [value.slice(0, equals)]: weight };
}

runProgram(import.meta.url, 'call', () => main(process.argv.slice(2)));
