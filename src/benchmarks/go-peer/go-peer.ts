import { buildGoPeer } from './build.ts';
import { PeerProcess } from './peer-process.ts';

const durationFlag = (ms: number): string => `${ms}ms`;

export interface GoServerOptions {
  /** `tcp@host:port`, `http@host:port`, `unix@/path`; port 0 picks a free one. @default ['tcp@127.0.0.1:0'] */
  listen?: string[];
  /** Codecs the server accepts. @default ['gob'], as GeeRPC's */
  codecs?: ('gob' | 'json')[];
  /** A registry URL to send GeeRPC heartbeats to, for every listener. */
  registry?: string;
  /** Heartbeat interval. @default GeeRPC's 4 min */
  heartbeatMs?: number;
  /** CPU work added to every call (the peer's -spin flag): a slower build of the same server. */
  spinUs?: number;
}

export interface GoServer {
  /** The bound addresses, in `-listen` order, with real ports. */
  readonly addresses: string[];
  /** The server's process id. */
  readonly pid: number;
  /** What the server logged so far (GeeRPC logs to stderr). */
  readonly stderr: string;
  waitForLog(pattern: RegExp, timeoutMs?: number): Promise<string>;
  stop(): Promise<void>;
}

/** A GeeRPC server serving Foo (Sum, Sleep), Bench (Echo) and Types (EchoNested, Summarize, NilPointer: go-peer/types.go). */
export async function startGoServer(options: GoServerOptions = {}): Promise<GoServer> {
  const listen = options.listen ?? ['tcp@127.0.0.1:0'];
  const args = ['server', ...listen.flatMap((address) => ['-listen', address])];
  if (options.codecs !== undefined) args.push('-codec', options.codecs.join(','));
  if (options.registry !== undefined) args.push('-registry', options.registry);
  if (options.heartbeatMs !== undefined) args.push('-heartbeat', durationFlag(options.heartbeatMs));
  if (options.spinUs !== undefined) args.push('-spin', `${options.spinUs}us`);
  const peer = new PeerProcess(await buildGoPeer(), args);
  try {
    const addresses = await peer.waitUntil(() => {
      const bound = peer.events.filter(isListening).map((event) => event.address!);
      return bound.length === listen.length ? bound : undefined;
    }, `${listen.length} listening line(s)`);
    return {
      addresses,
      pid: peer.pid,
      get stderr() {
        return peer.stderr;
      },
      waitForLog: (pattern, timeoutMs) => peer.waitForLog(pattern, timeoutMs),
      stop: () => peer.stop(),
    };
  } catch (error) {
    await peer.stop();
    throw error;
  }
}

export interface GoRegistry {
  /** `http://127.0.0.1:<port>/_geerpc_/registry` */
  readonly url: string;
  stop(): Promise<void>;
}

/** GeeRPC's HTTP registry. */
export async function startGoRegistry(options: { expiryMs?: number } = {}): Promise<GoRegistry> {
  const args = ['registry', '-listen', '127.0.0.1:0'];
  if (options.expiryMs !== undefined) args.push('-expiry', durationFlag(options.expiryMs));
  const peer = new PeerProcess(await buildGoPeer(), args);
  try {
    const url = await peer.waitUntil(() => peer.events.find(isListening)?.url, 'listening line');
    return { url, stop: () => peer.stop() };
  } catch (error) {
    await peer.stop();
    throw error;
  }
}

interface ListeningEvent {
  event: 'listening';
  address?: string;
  url?: string;
}

function isListening(event: unknown): event is ListeningEvent {
  return typeof event === 'object' && event !== null && (event as { event?: unknown }).event === 'listening';
}

export interface GoCall {
  method: string;
  /** Sent as GeeRPC's `Args` when an object, as a Go string when a string. */
  args: unknown;
}

export interface GoClientOptions {
  /** Servers (`tcp@…`, `http@…`, `unix@…`); or give `registry`. */
  addresses?: string[];
  /** Discover servers through this GeeRPC registry URL (GeeRegistryDiscovery). */
  registry?: string;
  /** @default 'gob' */
  codec?: 'gob' | 'json';
  /** Call i uses calls[i mod length]. @default [{ method: 'Foo.Sum', args: { Num1: 1, Num2: 2 } }] */
  calls?: GoCall[];
  /** Number of calls. @default 1 */
  n?: number;
  /** @default 1 */
  concurrency?: number;
  /** Each call is an XClient.Broadcast. */
  broadcast?: boolean;
  /** @default 'roundrobin' */
  mode?: 'roundrobin' | 'random';
  /** Instead of n: this many calls, each on a fresh connection. */
  fresh?: number;
  /** Pause after the option before the first frame; 0 is GeeRPC's own (racy) behaviour. @default 0 */
  settleMs?: number;
  /** Per-call deadline. @default 10000 */
  timeoutMs?: number;
  connectTimeoutMs?: number;
  /** Option.HandleTimeout sent to the server. */
  handleTimeoutMs?: number;
  /** Makes call i's arguments distinct: Num1 + i, or the string + `#i`. */
  vary?: boolean;
  /** Counts a reply other than Num1+Num2 (Args) or the argument (strings) as failed, `wrong reply`. */
  check?: boolean;
  /** How many first calls to list in `results`. @default 5 */
  show?: number;
  /** Kills the client after this long. @default 60000 */
  killAfterMs?: number;
}

export interface GoCallSummary {
  calls: number;
  ok: number;
  failed: number;
  /** Error text → how many calls failed with it. */
  errors: Record<string, number>;
  /** The first `show` calls in call order. */
  results: { reply?: unknown; error?: string }[];
  /** The replies among `results`. */
  replies: unknown[];
  /** Calls sent to each server (each server of a broadcast counts). */
  perServer: Record<string, number>;
  /** Connections the client dialed (the XClient keeps one per server; `fresh` dials one per call). */
  dials: number;
  /** The first wrong reply under `check`. */
  mismatch?: string;
  elapsedNs: number;
  settings: Record<string, string>;
}

/** Runs GeeRPC's XClient in a Go process and returns its summary. */
export async function runGoClient(options: GoClientOptions): Promise<GoCallSummary> {
  const args = ['call', '-codec', options.codec ?? 'gob'];
  for (const address of options.addresses ?? []) args.push('-addr', address);
  if (options.registry !== undefined) args.push('-registry', options.registry);
  for (const call of options.calls ?? [])
    args.push('-method', call.method, '-args', JSON.stringify(call.args));
  if (options.n !== undefined) args.push('-n', String(options.n));
  if (options.concurrency !== undefined) args.push('-concurrency', String(options.concurrency));
  if (options.broadcast) args.push('-broadcast');
  if (options.mode !== undefined) args.push('-mode', options.mode);
  if (options.fresh !== undefined) args.push('-fresh', String(options.fresh));
  if (options.settleMs !== undefined) args.push('-settle', durationFlag(options.settleMs));
  if (options.timeoutMs !== undefined) args.push('-timeout', durationFlag(options.timeoutMs));
  if (options.connectTimeoutMs !== undefined) {
    args.push('-connect-timeout', durationFlag(options.connectTimeoutMs));
  }
  if (options.handleTimeoutMs !== undefined) {
    args.push('-handle-timeout', durationFlag(options.handleTimeoutMs));
  }
  if (options.vary) args.push('-vary');
  if (options.check) args.push('-check');
  if (options.show !== undefined) args.push('-show', String(options.show));
  return runToSummary<GoCallSummary>(args, options.killAfterMs ?? 60_000);
}

export interface GoBenchOptions {
  address: string;
  /** @default 'gob' */
  codec?: 'gob' | 'json';
  /** @default 'Bench.Echo' */
  method?: string;
  /** @default 'hello' */
  args?: unknown;
  /** @default 64 */
  concurrency?: number;
  /** @default 5000 */
  durationMs?: number;
  warmupMs?: number;
  /** @default 5 */
  settleMs?: number;
}

export interface GoBenchResult {
  calls: number;
  failed: number;
  elapsedNs: number;
  callsPerSecond: number;
  cpuUserNs: number;
  cpuSysNs: number;
  cpuNsPerCall: number;
  p50Ns: number;
  p99Ns: number;
  maxNs: number;
  concurrency: number;
  codec: string;
}

/** Go's own client in a closed loop on one connection: calls per second and its CPU time. */
export function runGoBench(options: GoBenchOptions): Promise<GoBenchResult> {
  const args = ['bench', '-addr', options.address, '-codec', options.codec ?? 'gob'];
  if (options.method !== undefined) args.push('-method', options.method);
  if (options.args !== undefined) args.push('-args', JSON.stringify(options.args));
  if (options.concurrency !== undefined) args.push('-concurrency', String(options.concurrency));
  const durationMs = options.durationMs ?? 5000;
  args.push('-duration', durationFlag(durationMs));
  if (options.warmupMs !== undefined) args.push('-warmup', durationFlag(options.warmupMs));
  if (options.settleMs !== undefined) args.push('-settle', durationFlag(options.settleMs));
  return runToSummary<GoBenchResult>(args, durationMs + (options.warmupMs ?? 0) + 60_000);
}

async function runToSummary<T>(args: string[], killAfterMs: number): Promise<T> {
  const peer = new PeerProcess(await buildGoPeer(), args);
  const timer = setTimeout(() => void peer.stop(), killAfterMs);
  try {
    const code = await peer.exited;
    if (code !== 0 || peer.events.length === 0) {
      throw new Error(`go-peer ${args.join(' ')} exited with code ${code}; stderr:\n${peer.stderr}`);
    }
    return peer.events.at(-1) as T;
  } finally {
    clearTimeout(timer);
    await peer.stop();
  }
}

export interface GoTypesCheck {
  ok: boolean;
  /** Where the reply first differed from what was sent. */
  mismatch?: string;
  /** The call's error. */
  error?: string;
}

/**
 * Runs `go-peer types`: Go's client sends a value holding every kind a Go service uses (see
 * go-peer/types.go) to `method` on the server at `address`, which must answer its argument,
 * and checks each reply equals what was sent, float bits included.
 */
export function runGoTypesCheck(address: string, method = 'Types.EchoNested', n = 2): Promise<GoTypesCheck> {
  return runToSummary<GoTypesCheck>(['types', '-addr', address, '-method', method, '-n', String(n)], 120_000);
}

export interface GoTypesJson {
  ok: boolean;
  /** json.Marshal of the reply. */
  json?: string;
  error?: string;
}

/**
 * Runs `go-peer types-json`: Go's client decodes `argsJson` with encoding/json into the Types
 * service's argument type, calls `method` at `address` over gob and prints json.Marshal of the reply.
 */
export function runGoTypesJson(address: string, method: string, argsJson: string): Promise<GoTypesJson> {
  return runToSummary<GoTypesJson>(
    ['types-json', '-addr', address, '-method', method, '-args', argsJson],
    60_000,
  );
}
