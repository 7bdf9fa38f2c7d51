// The public API of `rpcbench`: the RPC framework (Client, Server, XClient, discovery, gob), scenarios and
// errors. Anything not listed here or in src/entry/ (one file per subpath of the package) is internal.

export type { Endpoint, Transport } from './rpc/address.ts';
export { formatAddress, parseAddress } from './rpc/address.ts';
export type { CallOptions, ClientOptions, ReplyHandler, ResolvedClientOptions } from './rpc/client.ts';
export { Client, DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_HTTP_PATH } from './rpc/client.ts';
export type { CodecChoice, CodecName } from './rpc/codec/codec.ts';
export { CODEC_NAMES, DEFAULT_CODEC, DEFAULT_MAX_FRAME_BYTES } from './rpc/codec/codec.ts';
export { dial } from './rpc/dial.ts';
export type { ProtocolErrorCode } from './rpc/errors.ts';
export {
  CallAbortedError,
  CallTimeoutError,
  ClientClosedError,
  CodecRefusedError,
  ConnectionClosedError,
  ConnectTimeoutError,
  DialError,
  EncodeError,
  FrameTooLargeError,
  InvalidAddressError,
  isTransportError,
  ProtocolError,
  RemoteError,
  SendBufferFullError,
} from './rpc/errors.ts';
export type { GoMethodTypes } from './rpc/go-types/index.ts';
export {
  GoTypesError,
  GoValueError,
  goJsonText,
  loadGoMethodTypes,
  parseJsonKeepingIntegers,
  toGoArgs,
} from './rpc/go-types/index.ts';
export type { GobErrorCode, GobStructType, GobType } from './rpc/gob/index.ts';
export {
  compileGobType,
  GO_WIRE_TYPE,
  GobBudgetError,
  GobError,
  GobTypedValue,
  GobValueError,
  gob,
  goWireTypeOf,
  inferGobType,
} from './rpc/gob/index.ts';
export type { SumArgs } from './rpc/server/builtin-services.ts';
export { Bench, Foo } from './rpc/server/builtin-services.ts';
export type { RegisterOptions, ServerOptions } from './rpc/server/server.ts';
export { DEFAULT_HANDSHAKE_TIMEOUT_MS, DEFAULT_RPC_PATHS, Server } from './rpc/server/server.ts';
export type { CallContext, MethodHandler } from './rpc/server/service.ts';
export { defineScenario } from './scenario/define-scenario.ts';
export { ScenarioError } from './scenario/errors.ts';
export type {
  ResolvedScenario,
  ScenarioInput,
  ServerBehaviour,
  ServiceTime,
} from './scenario/scenario-schema.ts';
export { SCENARIO_DEFAULTS } from './scenario/scenario-schema.ts';
export type { ErrorCode } from './util/errors.ts';
export { ERROR_CODES, InvalidArgumentError, isRpcError, RpcError } from './util/errors.ts';
export { createSeededRandom } from './util/seeded-random.ts';
export type { Discovery } from './xclient/discovery/discovery.ts';
export type { EtcdDiscoveryOptions } from './xclient/discovery/etcd-discovery.ts';
export { EtcdDiscovery } from './xclient/discovery/etcd-discovery.ts';
export type { MultiServersDiscoveryOptions } from './xclient/discovery/multi-servers-discovery.ts';
export { DEFAULT_VIRTUAL_NODES, MultiServersDiscovery } from './xclient/discovery/multi-servers-discovery.ts';
export type { RegistryDiscoveryOptions } from './xclient/discovery/registry-discovery.ts';
export {
  DEFAULT_REGISTRY_UPDATE_INTERVAL_MS,
  RegistryDiscovery,
} from './xclient/discovery/registry-discovery.ts';
export {
  addressOf,
  CloseFailedError,
  MissingKeyError,
  NoServersError,
  UnsupportedModeError,
  XClientClosedError,
} from './xclient/errors.ts';
export type { FailMode } from './xclient/fail-mode.ts';
export { FAIL_MODES } from './xclient/fail-mode.ts';
export { DEFAULT_PEAK_EWMA_DECAY_MS } from './xclient/latency/latency-estimates.ts';
export type { EjectionReason, OutlierEvent } from './xclient/outlier/outlier-detector.ts';
export type { OutlierDetectionOptions } from './xclient/outlier/outlier-options.ts';
export { OUTLIER_DETECTION_DEFAULTS } from './xclient/outlier/outlier-options.ts';
export type { SelectMode } from './xclient/select-mode.ts';
export { isSelectMode, SELECT_MODES } from './xclient/select-mode.ts';
export type { EjectedServers, SelectHint } from './xclient/selectors/select-hint.ts';
export type { Selector, SelectorOptions } from './xclient/selectors/selector.ts';
export type {
  BroadcastOutcome,
  CallOutcome,
  CallReceiver,
  DialFunction,
  XCallOptions,
  XClientOptions,
  XClientStats,
} from './xclient/xclient.ts';
export { DEFAULT_FAIL_MODE, DEFAULT_RETRIES, DEFAULT_REUSE_CLIENTS, XClient } from './xclient/xclient.ts';
