import type { CallDriver } from './call-driver.ts';
import { GrpcDriver } from './grpc-driver.ts';
import { RawEchoDriver } from './raw-echo-driver.ts';
import { RpcDriver } from './rpc-driver.ts';
import type { ServersReady } from './servers/server-messages.ts';

/** What is driven: rpcbench with either codec, grpc-js, or the raw echo that bounds them all. */
export type CaseKind = 'msgpack' | 'json' | 'grpc' | 'raw';

export const CASE_KINDS: readonly CaseKind[] = ['msgpack', 'json', 'grpc', 'raw'];
export const IN_FLIGHT_LEVELS: readonly number[] = [1, 64];

export const CASE_LABELS: Record<CaseKind, string> = {
  msgpack: 'rpcbench msgpack',
  json: 'rpcbench json',
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

/** Opens the one connection a case's calls share. */
export function connectDriver(kind: CaseKind, servers: ServersReady): Promise<CallDriver> {
  switch (kind) {
    case 'msgpack':
      return RpcDriver.connect(servers.rpcAddress, 'application/msgpack');
    case 'json':
      return RpcDriver.connect(servers.rpcAddress, 'application/json');
    case 'grpc':
      return GrpcDriver.connect(servers.grpcPort);
    case 'raw':
      return RawEchoDriver.connect(servers.rawEchoPort);
  }
}
