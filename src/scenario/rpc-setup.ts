import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CODEC_SHORT_NAMES, type CodecName } from '../rpc/codec/codec.ts';
import { MultiServersDiscovery } from '../xclient/discovery/multi-servers-discovery.ts';
import type { OutlierEvent } from '../xclient/outlier/outlier-detector.ts';
import type { OutlierDetectionOptions } from '../xclient/outlier/outlier-options.ts';
import type { SelectMode } from '../xclient/select-mode.ts';
import { type XCallOptions, XClient, type XClientOptions } from '../xclient/xclient.ts';
import type { PhasePlan, ScenarioSelectMode } from './phase-plan.ts';
import { type ResolvedScenario, resolveServerBehaviours } from './scenario-schema.ts';

/** Distinct consistent-hash keys, used in turn by the load loops. A power of two. */
export const HASH_KEY_COUNT = 1024;

export type ScenarioTransport = ResolvedScenario['transport'];

/**
 * How one phase of a scenario reaches its servers: select mode, codec, transport, weights and
 * client options. The scenario run and the gate's probe both build their clients from this, so
 * the gate guards the set-up the scenario runs. Plain data: it crosses to worker threads.
 */
export interface PhaseRpcSetup {
  mode: ScenarioSelectMode;
  codec: CodecName;
  transport: ScenarioTransport;
  /** The weight of server i, for weighted-roundrobin. */
  weights: number[];
  failMode: NonNullable<XClientOptions['failMode']>;
  retries: number;
  reuseClients: boolean;
  callTimeoutMs: number;
  /** Each call sends `{ Payload }` (a Go-exported name, so that gob can carry it) with a string of this many bytes. */
  payloadBytes: number;
  /** The XClients' outlier ejection; absent when the phase has none. */
  outlierDetection?: OutlierDetectionOptions;
  /** peak-ewma's decay time, ms; absent for the default. */
  peakEwmaDecayMs?: number;
}

/** The one translation from a scenario phase to its RPC set-up. */
export function phaseRpcSetup(scenario: ResolvedScenario, plan: PhasePlan): PhaseRpcSetup {
  return {
    mode: plan.mode,
    codec: CODEC_SHORT_NAMES[scenario.codec],
    transport: scenario.transport,
    weights: resolveServerBehaviours(scenario).map((behaviour) => behaviour.weight),
    failMode: scenario.failMode,
    retries: scenario.retries,
    reuseClients: plan.reuseClients,
    callTimeoutMs: scenario.callTimeoutMs,
    payloadBytes: scenario.payloadBytes,
    ...(plan.outlierDetection && scenario.outlierDetection !== undefined
      ? { outlierDetection: outlierDetectionOptions(scenario.outlierDetection) }
      : {}),
    ...(scenario.peakEwmaDecayMs === undefined ? {} : { peakEwmaDecayMs: scenario.peakEwmaDecayMs }),
  };
}

function outlierDetectionOptions(
  detection: NonNullable<ResolvedScenario['outlierDetection']>,
): OutlierDetectionOptions {
  const { compare: _compare, ...options } = detection;
  const defined: OutlierDetectionOptions = {};
  for (const [key, value] of Object.entries(options)) {
    if (value !== undefined) (defined as Record<string, unknown>)[key] = value;
  }
  return defined;
}

/**
 * Where server `index` of a run listens: a free loopback port, or a socket file in the temporary
 * folder named after the process and `runTag`, so that concurrent runs never collide.
 */
export function serverListenAddress(transport: ScenarioTransport, runTag: string, index: number): string {
  if (transport === 'unix')
    return `unix@${join(tmpdir(), `rpcbench-${process.pid}-${runTag}-${index}.sock`)}`;
  return `${transport}@127.0.0.1:0`;
}

/** The clients of one phase over one discovery, and what each call passes. */
export interface PhaseClients {
  readonly discovery: MultiServersDiscovery;
  readonly clients: readonly XClient[];
  /** Every call goes to all servers (broadcastAll) instead of a selected one. */
  readonly broadcast: boolean;
  /** The same arguments for every call: built once, so that no call allocates its own. */
  readonly args: { Payload: string };
  /** Consistent-hash keys used in turn (HASH_KEY_COUNT of them), or undefined for other modes. */
  readonly callOptions: readonly XCallOptions[] | undefined;
  close(): Promise<void>;
}

/**
 * Opens `count` XClients over the phase's servers. They share one discovery, so a round robin is
 * one sequence across them. `random` seeds the discovery and the consistent-hash keys.
 */
export function openPhaseClients(
  setup: PhaseRpcSetup,
  addresses: readonly string[],
  options: { random: () => number; count: number; onOutlierEvent?: (event: OutlierEvent) => void },
): PhaseClients {
  const weights: Record<string, number> = {};
  addresses.forEach((address, index) => {
    weights[address] = setup.weights[index] ?? 1;
  });
  const discovery = new MultiServersDiscovery([...addresses], { random: options.random, weights });
  // Broadcast calls every server: the select mode only has to be valid.
  const mode: SelectMode = setup.mode === 'broadcast' ? 'roundrobin' : setup.mode;
  const clientOptions: XClientOptions = {
    codec: setup.codec,
    failMode: setup.failMode,
    retries: setup.retries,
    reuseClients: setup.reuseClients,
    callTimeoutMs: setup.callTimeoutMs,
    ...(setup.outlierDetection === undefined ? {} : { outlierDetection: setup.outlierDetection }),
    ...(setup.peakEwmaDecayMs === undefined ? {} : { peakEwmaDecayMs: setup.peakEwmaDecayMs }),
    ...(options.onOutlierEvent === undefined ? {} : { onOutlierEvent: options.onOutlierEvent }),
  };
  const clients = Array.from({ length: options.count }, () => new XClient(discovery, mode, clientOptions));
  const callOptions =
    setup.mode === 'consistent-hash'
      ? Array.from({ length: HASH_KEY_COUNT }, () => ({
          key: `key-${Math.floor(options.random() * 1e9).toString(36)}`,
        }))
      : undefined;
  return {
    discovery,
    clients,
    broadcast: setup.mode === 'broadcast',
    args: { Payload: 'x'.repeat(setup.payloadBytes) },
    callOptions,
    async close() {
      await Promise.allSettled(clients.map((client) => client.close()));
      await discovery.close();
    },
  };
}
