// The public API. Anything not listed here is internal.

export { AgentError } from './harness/distributed/errors.ts';
export { LoadAgent, type LoadAgentOptions } from './harness/distributed/load-agent.ts';
export { type AgentsOptions, runOnAgents } from './harness/distributed/run-on-agents.ts';
export { MetricsListenError } from './harness/errors.ts';
export type { LiveEndpoint } from './harness/metrics/prometheus/live-endpoint.ts';
export { DEFAULT_METRICS_LINGER_MS, serveLiveMetrics } from './harness/metrics/prometheus/live-endpoint.ts';
export type { LiveMetricsSink } from './harness/metrics/prometheus/live-metrics.ts';
export { LiveMetrics } from './harness/metrics/prometheus/live-metrics.ts';
export type { MetricsServerLimits } from './harness/metrics/prometheus/metrics-server.ts';
export { METRICS_SERVER_DEFAULTS, MetricsServer } from './harness/metrics/prometheus/metrics-server.ts';
export type { RunOptions, RunProgress, RunStage } from './harness/runner.ts';
export { runScenario } from './harness/runner.ts';
export type {
  MeasureStep,
  SearchBounds,
  SearchOutcome,
  SearchStep,
  SearchStopReason,
  StepKind,
} from './harness/search/capacity-search.ts';
export { searchCapacity } from './harness/search/capacity-search.ts';
export type { AddressPattern } from './registry/allow-list.ts';
export { LOOPBACK_ONLY } from './registry/allow-list.ts';
export {
  EtcdUnavailableError,
  RegistrationRefusedError,
  RegistryUnavailableError,
} from './registry/errors.ts';
export type { EtcdEndpoints } from './registry/etcd-client.ts';
export { DEFAULT_ETCD_PREFIX } from './registry/etcd-client.ts';
export type { EtcdRegistration, EtcdRegistrationOptions } from './registry/etcd-registration.ts';
export { DEFAULT_ETCD_TTL_SECONDS, registerWithEtcd } from './registry/etcd-registration.ts';
export type { Heartbeat, HeartbeatOptions } from './registry/heartbeat.ts';
export { DEFAULT_HEARTBEAT_INTERVAL_MS, startHeartbeat } from './registry/heartbeat.ts';
export {
  DEFAULT_MAX_SERVERS,
  DEFAULT_REGISTRY_EXPIRY_MS,
  DEFAULT_REGISTRY_PATH,
  MAX_ADDRESS_BYTES,
  SERVER_HEADER,
  SERVERS_HEADER,
} from './registry/registry-protocol.ts';
export type { RegistryServerOptions } from './registry/registry-server.ts';
export { RegistryServer } from './registry/registry-server.ts';
export { HistogramDecodeError } from './report/errors.ts';
export { renderTimelineCsv } from './report/exports/csv.ts';
export { renderJunitXml } from './report/exports/junit.ts';
export { renderRunMarkdown } from './report/exports/markdown.ts';
export type { ExportPaths } from './report/exports/write-exports.ts';
export { writeExports } from './report/exports/write-exports.ts';
export { renderHtmlReport, writeHtmlReport, writeNewHtmlReport } from './report/html-report.ts';
export { InvalidResultError } from './result/errors.ts';
export { readResult, writeResult } from './result/result-file.ts';
export type {
  Fairness,
  HistogramRecord,
  HttpBaseline,
  LatencySummary,
  MicroBenchmark,
  PhaseResult,
  RunResult,
  ServerShare,
  ThresholdOutcome,
  TimelineEntry,
} from './result/result-schema.ts';
export { RESULT_SCHEMA_VERSION, runResultSchema } from './result/result-schema.ts';
export type { CapacitySearchRecord, SearchStepRecord } from './result/search-schema.ts';
export type { Endpoint, Transport } from './rpc/address.ts';
export { formatAddress, parseAddress } from './rpc/address.ts';
export type { CallOptions, ClientOptions, ResolvedClientOptions } from './rpc/client.ts';
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
} from './rpc/errors.ts';
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
export { MAGIC_NUMBER } from './rpc/handshake.ts';
export type { SumArgs } from './rpc/server/builtin-services.ts';
export { Bench, Foo } from './rpc/server/builtin-services.ts';
export type { RegisterOptions, ServerOptions } from './rpc/server/server.ts';
export { DEFAULT_HANDSHAKE_TIMEOUT_MS, DEFAULT_RPC_PATHS, Server } from './rpc/server/server.ts';
export type { CallContext, MethodHandler } from './rpc/server/service.ts';
export { defineScenario } from './scenario/define-scenario.ts';
export { ScenarioError } from './scenario/errors.ts';
export type { MemoryEstimate } from './scenario/memory-budget.ts';
export { checkMemoryBudget, estimateScenarioMemory } from './scenario/memory-budget.ts';
export type { LoadedScenario } from './scenario/scenario-loader.ts';
export { loadScenario } from './scenario/scenario-loader.ts';
export type {
  ResolvedScenario,
  ScenarioInput,
  ServerBehaviour,
  ServiceTime,
} from './scenario/scenario-schema.ts';
export { SCENARIO_DEFAULTS, scenarioSchema } from './scenario/scenario-schema.ts';
export type { ErrorCode } from './util/errors.ts';
export { ERROR_CODES, InvalidArgumentError, isRpcError, RpcError } from './util/errors.ts';
export { createSeededRandom } from './util/seeded-random.ts';
export type { Discovery, EjectedServers, SelectHint } from './xclient/discovery/discovery.ts';
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
export type { Selector, SelectorOptions } from './xclient/selectors/selector.ts';
export type {
  BroadcastOutcome,
  CallOutcome,
  DialFunction,
  XCallOptions,
  XClientOptions,
  XClientStats,
} from './xclient/xclient.ts';
export {
  DEFAULT_FAIL_MODE,
  DEFAULT_RETRIES,
  DEFAULT_REUSE_CLIENTS,
  XClient,
} from './xclient/xclient.ts';
