// The public names of each of the package's subpaths: a change of the API is deliberate, made here too.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

interface Subpath {
  /** The entry's source, relative to the repository. */
  source: string;
  values: string[];
  types: string[];
}

const SUBPATHS: Record<string, Subpath> = {
  rpcbench: {
    source: 'src/index.ts',
    values: [
      'Bench',
      'CODEC_NAMES',
      'CallAbortedError',
      'CallTimeoutError',
      'Client',
      'ClientClosedError',
      'CloseFailedError',
      'CodecRefusedError',
      'ConnectTimeoutError',
      'ConnectionClosedError',
      'DEFAULT_CODEC',
      'DEFAULT_CONNECT_TIMEOUT_MS',
      'DEFAULT_FAIL_MODE',
      'DEFAULT_HANDSHAKE_TIMEOUT_MS',
      'DEFAULT_HTTP_PATH',
      'DEFAULT_MAX_FRAME_BYTES',
      'DEFAULT_PEAK_EWMA_DECAY_MS',
      'DEFAULT_REGISTRY_UPDATE_INTERVAL_MS',
      'DEFAULT_RETRIES',
      'DEFAULT_REUSE_CLIENTS',
      'DEFAULT_RPC_PATHS',
      'DEFAULT_VIRTUAL_NODES',
      'DialError',
      'ERROR_CODES',
      'EncodeError',
      'EtcdDiscovery',
      'FAIL_MODES',
      'Foo',
      'FrameTooLargeError',
      'GO_WIRE_TYPE',
      'GoTypesError',
      'GoValueError',
      'GobBudgetError',
      'GobError',
      'GobTypedValue',
      'GobValueError',
      'InvalidAddressError',
      'InvalidArgumentError',
      'MissingKeyError',
      'MultiServersDiscovery',
      'NoServersError',
      'OUTLIER_DETECTION_DEFAULTS',
      'ProtocolError',
      'RegistryDiscovery',
      'RemoteError',
      'RpcError',
      'SCENARIO_DEFAULTS',
      'SELECT_MODES',
      'ScenarioError',
      'SendBufferFullError',
      'Server',
      'UnsupportedModeError',
      'XClient',
      'XClientClosedError',
      'addressOf',
      'compileGobType',
      'createSeededRandom',
      'defineScenario',
      'dial',
      'formatAddress',
      'gob',
      'goJsonText',
      'goWireTypeOf',
      'inferGobType',
      'isRpcError',
      'isSelectMode',
      'isTransportError',
      'loadGoMethodTypes',
      'parseAddress',
      'parseJsonKeepingIntegers',
      'toGoArgs',
    ],
    types: [
      'BroadcastOutcome',
      'CallContext',
      'CallOptions',
      'CallOutcome',
      'CallReceiver',
      'ClientOptions',
      'CodecChoice',
      'CodecName',
      'DialFunction',
      'Discovery',
      'EjectedServers',
      'EjectionReason',
      'Endpoint',
      'ErrorCode',
      'EtcdDiscoveryOptions',
      'FailMode',
      'GoMethodTypes',
      'GobErrorCode',
      'GobStructType',
      'GobType',
      'MethodHandler',
      'MultiServersDiscoveryOptions',
      'OutlierDetectionOptions',
      'OutlierEvent',
      'ProtocolErrorCode',
      'RegisterOptions',
      'RegistryDiscoveryOptions',
      'ReplyHandler',
      'ResolvedClientOptions',
      'ResolvedScenario',
      'ScenarioInput',
      'SelectHint',
      'SelectMode',
      'Selector',
      'SelectorOptions',
      'ServerBehaviour',
      'ServerOptions',
      'ServiceTime',
      'SumArgs',
      'Transport',
      'XCallOptions',
      'XClientOptions',
      'XClientStats',
    ],
  },
  'rpcbench/harness': {
    source: 'src/entry/harness.ts',
    values: [
      'AgentError',
      'DEFAULT_METRICS_LINGER_MS',
      'LiveMetrics',
      'LoadAgent',
      'MetricsListenError',
      'checkMemoryBudget',
      'estimateScenarioMemory',
      'loadScenario',
      'runOnAgents',
      'runScenario',
      'searchCapacity',
      'serveLiveMetrics',
    ],
    types: [
      'AgentsOptions',
      'LiveEndpoint',
      'LiveMetricsSink',
      'LoadAgentOptions',
      'LoadedScenario',
      'MeasureStep',
      'MemoryEstimate',
      'RunOptions',
      'RunProgress',
      'RunStage',
      'SearchBounds',
      'SearchOutcome',
      'SearchStep',
      'SearchStopReason',
      'StepKind',
    ],
  },
  'rpcbench/report': {
    source: 'src/entry/report.ts',
    values: [
      'HistogramDecodeError',
      'InvalidResultError',
      'RESULT_SCHEMA_VERSION',
      'readResult',
      'renderHtmlReport',
      'renderJunitXml',
      'renderRunMarkdown',
      'renderTimelineCsv',
      'writeExports',
      'writeHtmlReport',
      'writeNewHtmlReport',
      'writeResult',
    ],
    types: [
      'CapacitySearchRecord',
      'ExportPaths',
      'Fairness',
      'HistogramRecord',
      'HttpBaseline',
      'LatencySummary',
      'MicroBenchmark',
      'PhaseResult',
      'RunResult',
      'SearchStepRecord',
      'ServerShare',
      'ThresholdOutcome',
      'TimelineEntry',
    ],
  },
  'rpcbench/registry': {
    source: 'src/entry/registry.ts',
    values: [
      'DEFAULT_ETCD_PREFIX',
      'DEFAULT_ETCD_TTL_SECONDS',
      'DEFAULT_HEARTBEAT_INTERVAL_MS',
      'DEFAULT_MAX_SERVERS',
      'DEFAULT_REGISTRY_EXPIRY_MS',
      'DEFAULT_REGISTRY_PATH',
      'EtcdUnavailableError',
      'LOOPBACK_ONLY',
      'RegistrationRefusedError',
      'RegistryServer',
      'RegistryUnavailableError',
      'registerWithEtcd',
      'startHeartbeat',
    ],
    types: [
      'AddressPattern',
      'EtcdEndpoints',
      'EtcdRegistration',
      'EtcdRegistrationOptions',
      'Heartbeat',
      'HeartbeatOptions',
      'RegistryServerOptions',
    ],
  },
};

const ROOT = new URL('..', import.meta.url);

/** The names an entry file exports as types only: `export type { A }` and `export { type A }`. */
function typeNames(source: string): string[] {
  const text = readFileSync(new URL(source, ROOT), 'utf8');
  return [...text.matchAll(/export (type )?\{([^}]*)\}/g)].flatMap(([, typeOnly, list]) =>
    list!
      .split(',')
      .map((name) => name.trim())
      .filter((name) => name !== '' && (typeOnly !== undefined || name.startsWith('type ')))
      .map((name) => name.replace(/^type /, '')),
  );
}

test('package.json exports exactly these subpaths, each with types, built into dist/', () => {
  const manifest = JSON.parse(readFileSync(new URL('package.json', ROOT), 'utf8')) as {
    exports: Record<string, Record<string, string> | string>;
  };
  const subpaths = Object.keys(manifest.exports).filter((key) => key !== './package.json');
  assert.deepEqual(
    subpaths,
    Object.keys(SUBPATHS).map((name) => name.replace(/^rpcbench/, '.')),
  );
  for (const [name, subpath] of Object.entries(SUBPATHS)) {
    const target = manifest.exports[name.replace(/^rpcbench/, '.')] as Record<string, string>;
    const built = subpath.source.replace(/^src\//, './dist/').replace(/\.ts$/, '');
    assert.deepEqual(target, {
      'rpcbench-source': `./${subpath.source}`,
      types: `${built}.d.ts`,
      default: `${built}.js`,
    });
  }
});

for (const [name, subpath] of Object.entries(SUBPATHS)) {
  test(`${name} exports exactly its listed values and types`, async () => {
    const module = (await import(new URL(subpath.source, ROOT).href)) as Record<string, unknown>;
    assert.deepEqual(Object.keys(module).sort(), [...subpath.values].sort());
    assert.deepEqual(typeNames(subpath.source).sort(), [...subpath.types].sort());
  });
}
