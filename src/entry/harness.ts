// `rpcbench/harness`: running scenarios, capacity search, load agents, live metrics.

export { AgentError } from '../harness/distributed/errors.ts';
export { LoadAgent, type LoadAgentOptions } from '../harness/distributed/load-agent.ts';
export { type AgentsOptions, runOnAgents } from '../harness/distributed/run-on-agents.ts';
export { MetricsListenError } from '../harness/errors.ts';
export type { LiveEndpoint } from '../harness/metrics/prometheus/live-endpoint.ts';
export { DEFAULT_METRICS_LINGER_MS, serveLiveMetrics } from '../harness/metrics/prometheus/live-endpoint.ts';
export type { LiveMetricsSink } from '../harness/metrics/prometheus/live-metrics.ts';
export { LiveMetrics } from '../harness/metrics/prometheus/live-metrics.ts';
export type { RunOptions, RunProgress, RunStage } from '../harness/runner.ts';
export { runScenario } from '../harness/runner.ts';
export type {
  MeasureStep,
  SearchBounds,
  SearchOutcome,
  SearchStep,
  SearchStopReason,
  StepKind,
} from '../harness/search/capacity-search.ts';
export { searchCapacity } from '../harness/search/capacity-search.ts';
export type { MemoryEstimate } from '../scenario/memory-budget.ts';
export { checkMemoryBudget, estimateScenarioMemory } from '../scenario/memory-budget.ts';
export type { LoadedScenario } from '../scenario/scenario-loader.ts';
export { loadScenario } from '../scenario/scenario-loader.ts';
