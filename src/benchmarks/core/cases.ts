import type { CallDriver } from './call-driver.ts';
import { GrpcDriver } from './grpc-driver.ts';
import { ECHO_PAYLOAD, ECHO_STRING } from './payload.ts';
import { RawEchoDriver } from './raw-echo-driver.ts';
import { RpcDriver } from './rpc-driver.ts';
import type { ServersReady } from './servers/server-messages.ts';

/**
 * What is driven: rpcbench with each codec, grpc-js, the raw echo that bounds them all, and
 * GeeRPC's Go server (a separate process) driven by rpcbench's client and by Go's own client.
 */
export type CaseKind = 'msgpack' | 'json' | 'gob' | 'grpc' | 'raw' | 'go-server' | 'go-client';

/** Cases a target compares run next to each other, so that each round's ratio is taken close in time. */
export const CASE_KINDS: readonly CaseKind[] = [
  'msgpack',
  'gob',
  'json',
  'grpc',
  'raw',
  'go-server',
  'go-client',
];
/** Cases against the Go server: its Bench.Echo takes a string, and the CPU measured is the client's only. */
export const GO_CASE_KINDS: readonly CaseKind[] = ['go-server', 'go-client'];
export const IN_FLIGHT_LEVELS: readonly number[] = [1, 64];

export const CASE_LABELS: Record<CaseKind, string> = {
  msgpack: 'rpcbench msgpack',
  json: 'rpcbench json',
  gob: 'rpcbench gob',
  'go-server': 'rpcbench → Go gob',
  'go-client': 'Go → Go gob',
  grpc: 'grpc-js unary',
  raw: 'raw TCP echo',
};

export interface CaseSpec {
  /** `kind@inFlight`, e.g. `msgpack@64`. */
  id: string;
  kind: CaseKind;
  inFlight: number;
}

export function caseId(kind: CaseKind, inFlight: number): string {
  return `${kind}@${inFlight}`;
}

export function buildCases(kinds: readonly CaseKind[]): CaseSpec[] {
  return kinds.flatMap((kind) =>
    IN_FLIGHT_LEVELS.map((inFlight) => ({ id: caseId(kind, inFlight), kind, inFlight })),
  );
}

/** Opens the one connection a case's calls share; `go-client` runs in its own process instead. */
export function connectDriver(
  kind: Exclude<CaseKind, 'go-client'>,
  servers: ServersReady,
  goServerAddress: string | undefined,
): Promise<CallDriver> {
  switch (kind) {
    case 'msgpack':
      return RpcDriver.connect(servers.rpcAddress, 'application/msgpack', ECHO_PAYLOAD);
    case 'json':
      return RpcDriver.connect(servers.rpcAddress, 'application/json', ECHO_PAYLOAD);
    case 'gob':
      return RpcDriver.connect(servers.rpcAddress, 'application/gob', ECHO_PAYLOAD);
    case 'go-server':
      if (goServerAddress === undefined) return Promise.reject(new Error('the Go server is not running'));
      return RpcDriver.connect(goServerAddress, 'application/gob', ECHO_STRING);
    case 'grpc':
      return GrpcDriver.connect(servers.grpcPort);
    case 'raw':
      return RawEchoDriver.connect(servers.rawEchoPort);
  }
}
