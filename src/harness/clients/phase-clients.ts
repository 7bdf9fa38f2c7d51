import { resolve } from 'node:path';
import { DEFAULT_HTTP_PATH } from '../../rpc/client.ts';
import { CODEC_SHORT_NAMES } from '../../rpc/codec/codec.ts';
import type { PhasePlan } from '../../scenario/phase-plan.ts';
import type { PhaseCall, PhaseRpcSetup } from '../../scenario/phase-rpc-setup.ts';
import { DEFAULT_METHOD, scenarioBase } from '../../scenario/phase-rpc-setup.ts';
import { type ResolvedScenario, resolveServerBehaviours } from '../../scenario/scenario-schema.ts';
import { EtcdDiscovery } from '../../xclient/discovery/etcd-discovery.ts';
import { MultiServersDiscovery } from '../../xclient/discovery/multi-servers-discovery.ts';
import { RegistryDiscovery } from '../../xclient/discovery/registry-discovery.ts';
import type { OutlierEvent } from '../../xclient/outlier/outlier-detector.ts';
import type { OutlierDetectionOptions } from '../../xclient/outlier/outlier-options.ts';
import type { SelectMode } from '../../xclient/select-mode.ts';
import { type XCallOptions, XClient, type XClientOptions } from '../../xclient/xclient.ts';

/** Distinct consistent-hash keys, used in turn by the load loops. A power of two. */
export const HASH_KEY_COUNT = 1024;
/** A registry's list is reloaded this often during a run, so that servers joining or leaving are followed. */
export const TARGET_REGISTRY_UPDATE_MS = 1_000;

/**
 * The one translation from a scenario phase to its RPC set-up. `file` is the scenario file as
 * loaded (relative paths in the scenario are relative to it), or a label for a scenario made on
 * the command line (relative paths are then relative to the working directory).
 */
export function phaseRpcSetup(scenario: ResolvedScenario, plan: PhasePlan, file: string): PhaseRpcSetup {
  const { target } = scenario;
  return {
    mode: plan.mode,
    codec: CODEC_SHORT_NAMES[scenario.codec],
    transport: scenario.transport,
    weights:
      target === undefined ? resolveServerBehaviours(scenario).map((behaviour) => behaviour.weight) : [],
    failMode: scenario.failMode,
    retries: scenario.retries,
    reuseClients: plan.reuseClients,
    callTimeoutMs: scenario.callTimeoutMs,
    httpPath: target?.httpPath ?? DEFAULT_HTTP_PATH,
    clientLimits: {
      ...(scenario.maxUnsolicitedReplies === undefined
        ? {}
        : { maxUnsolicitedReplies: scenario.maxUnsolicitedReplies }),
      ...(scenario.gobBudget === undefined ? {} : { gobBudget: scenario.gobBudget }),
    },
    servers:
      target?.registry !== undefined
        ? { kind: 'registry', url: target.registry }
        : target?.etcd !== undefined
          ? { kind: 'etcd', ...target.etcd }
          : { kind: 'addresses' },
    call: phaseCall(scenario, file),
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

/** The scenario's `call` as plain data; see PhaseCall. */
function phaseCall(scenario: ResolvedScenario, file: string): PhaseCall {
  const call = callData(scenario, file);
  if (scenario.goTypes === undefined) return call;
  return { ...call, goTypes: resolve(scenarioBase(file), scenario.goTypes) };
}

function callData(scenario: ResolvedScenario, file: string): PhaseCall {
  const { call } = scenario;
  if (call === undefined)
    return { method: DEFAULT_METHOD, args: { Payload: 'x'.repeat(scenario.payloadBytes) } };
  const base = scenarioBase(file);
  if (call.argsFile !== undefined) {
    return {
      method: call.method,
      argsFile: resolve(base, call.argsFile),
      ...(call.check === undefined ? {} : { module: resolve(file) }),
    };
  }
  if (call.check === undefined && isPlainData(call.args)) {
    return call.args === undefined ? { method: call.method } : { method: call.method, args: call.args };
  }
  return { method: call.method, module: resolve(file) };
}

/** Values that cross to a worker thread unchanged: no functions, no class instances. */
function isPlainData(value: unknown): boolean {
  if (value === null || typeof value !== 'object')
    return typeof value !== 'function' && typeof value !== 'symbol';
  if (Array.isArray(value)) return value.every(isPlainData);
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return false;
  return Object.values(value).every(isPlainData);
}

/** The clients of one phase over one discovery, and what each call passes. */
export interface PhaseClients {
  readonly discovery: MultiServersDiscovery;
  readonly clients: readonly XClient[];
  /** Every call goes to all servers (broadcastAll) instead of a selected one. */
  readonly broadcast: boolean;
  /** Consistent-hash keys used in turn (HASH_KEY_COUNT of them), or undefined for other modes. */
  readonly callOptions: readonly XCallOptions[] | undefined;
  close(): Promise<void>;
}

/**
 * Opens `count` XClients over the phase's servers. They share one discovery, so a round robin is
 * one sequence across them. `random` seeds the discovery and the consistent-hash keys.
 * `addresses` are the servers of a fixed list (simulated servers, `target.addresses`).
 */
export async function openPhaseClients(
  setup: PhaseRpcSetup,
  addresses: readonly string[],
  options: { random: () => number; count: number; onOutlierEvent?: (event: OutlierEvent) => void },
): Promise<PhaseClients> {
  const discovery = await openPhaseDiscovery(setup, addresses, options.random);
  // Broadcast calls every server: the select mode only has to be valid.
  const mode: SelectMode = setup.mode === 'broadcast' ? 'roundrobin' : setup.mode;
  const clientOptions: XClientOptions = {
    codec: setup.codec,
    httpPath: setup.httpPath,
    failMode: setup.failMode,
    retries: setup.retries,
    reuseClients: setup.reuseClients,
    callTimeoutMs: setup.callTimeoutMs,
    ...setup.clientLimits,
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
    callOptions,
    async close() {
      await Promise.allSettled(clients.map((client) => client.close()));
      await discovery.close();
    },
  };
}

/** The discovery of a phase's servers: a fixed list with the scenario's weights, a registry or etcd. */
export async function openPhaseDiscovery(
  setup: PhaseRpcSetup,
  addresses: readonly string[],
  random: () => number,
): Promise<MultiServersDiscovery> {
  const { servers } = setup;
  if (servers.kind === 'registry') {
    return new RegistryDiscovery(servers.url, { random, updateIntervalMs: TARGET_REGISTRY_UPDATE_MS });
  }
  if (servers.kind === 'etcd') {
    return EtcdDiscovery.connect(servers.endpoints, {
      random,
      ...(servers.prefix === undefined ? {} : { prefix: servers.prefix }),
    });
  }
  const weights: Record<string, number> = {};
  addresses.forEach((address, index) => {
    weights[address] = setup.weights[index] ?? 1;
  });
  return new MultiServersDiscovery([...addresses], { random, weights });
}
