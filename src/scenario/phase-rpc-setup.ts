import { dirname, resolve } from 'node:path';
import type { ClientOptions } from '../rpc/client.ts';
import type { CodecName } from '../rpc/codec/codec.ts';
import type { OutlierDetectionOptions } from '../xclient/outlier/outlier-options.ts';
import type { XClientOptions } from '../xclient/xclient.ts';
import type { ScenarioSelectMode } from './phase-plan.ts';
import type { ResolvedScenario } from './scenario-schema.ts';

/** What every simulated server answers, and what a scenario without `call` calls. */
export const DEFAULT_SERVICE = 'Load';
export const DEFAULT_METHOD = `${DEFAULT_SERVICE}.Work`;

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
  /** The CONNECT path of `http@` addresses. */
  httpPath: string;
  /** What a server may make each client hold: given to every client dialed, the probe's too. */
  clientLimits: Pick<ClientOptions, 'maxUnsolicitedReplies' | 'gobBudget'>;
  /** Where the servers are found: the addresses the run is given, or a registry or etcd to follow. */
  servers: PhaseServerSource;
  call: PhaseCall;
  /** The XClients' outlier ejection; absent when the phase has none. */
  outlierDetection?: OutlierDetectionOptions;
  /** peak-ewma's decay time, ms; absent for the default. */
  peakEwmaDecayMs?: number;
}

/** Simulated servers and `target.addresses` are a fixed list given at run time; the others are followed. */
export type PhaseServerSource =
  | { kind: 'addresses' }
  | { kind: 'registry'; url: string }
  | { kind: 'etcd'; endpoints: string[]; prefix?: string };

/**
 * What each call sends, as plain data that crosses to worker threads. Arguments that are not plain
 * data (a function of the call's index, gob-typed values) and reply checks stay in the scenario
 * module, which each load thread imports itself.
 */
export interface PhaseCall {
  method: string;
  /** The arguments of every call, plain data; for the default call `{ Payload }` (a Go-exported name, so that gob can carry it) with a payloadBytes-long string. */
  args?: unknown;
  /** JSON values, one per line, used in turn: an absolute path. */
  argsFile?: string;
  /** The scenario module whose `call.args` and `call.check` the load threads use: an absolute path. */
  module?: string;
  /** Go source declaring the method: the arguments are converted to its Go type. An absolute path. */
  goTypes?: string;
}

/** A scenario made on the command line has no file: its label is in parentheses. */
export function isScenarioFile(file: string): boolean {
  return !file.startsWith('(');
}

/** Where a scenario's relative paths start: its file's folder, or the working directory without a file. */
export function scenarioBase(file: string): string {
  return isScenarioFile(file) ? dirname(resolve(file)) : process.cwd();
}
