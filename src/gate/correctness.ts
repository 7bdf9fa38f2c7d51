import type { PhaseResult, RunResult } from '../result/result-schema.ts';

export type CorrectnessCheckName =
  | 'roundrobin-fairness'
  | 'broadcast-reach'
  | 'no-lost-calls'
  | 'threshold'
  | 'complete-run'
  | 'call-errors'
  | 'server-counts';

/** One exact check on one phase of one scenario run: no noise allowance, any miss fails the gate. */
export interface CorrectnessOutcome {
  scenario: string;
  /** The phase label, or null for a check on the whole run. */
  phase: string | null;
  check: CorrectnessCheckName;
  /** What is checked, as people read it (`each server within 16780..16781`, `errors < 1`). */
  expected: string;
  /** What was found. */
  actual: string;
  passed: boolean;
}

/**
 * The exact checks of one scenario run, all from the result file:
 * - round-robin fairness: in a `roundrobin` phase every server handled floor(n/k) or ceil(n/k) of the
 *   n calls the servers counted (k servers), widened by one per extra load thread, as each thread
 *   keeps its own rotation;
 * - broadcast reach: in a `broadcast` phase every server handled every broadcast;
 * - no lost calls: every server handled exactly the calls the load generators got an outcome for
 *   from it, and the outcomes add up to the calls made;
 * - the scenario's own thresholds, and that the run was not interrupted.
 * A scenario that crashes servers on purpose loses calls on purpose: its call checks are skipped.
 */
export function checkRun(result: RunResult): CorrectnessOutcome[] {
  const scenario = result.scenario.name;
  const outcomes: CorrectnessOutcome[] = [];
  outcomes.push({
    scenario,
    phase: null,
    check: 'complete-run',
    expected: 'the run completes',
    actual: result.partial ? 'interrupted' : 'completed',
    passed: !result.partial,
  });
  const config = result.scenario.config;
  const loadThreads = typeof config.loadThreads === 'number' ? config.loadThreads : 1;
  const crashes = scenarioCrashesServers(config);
  for (const phase of result.phases) {
    if (!crashes) {
      outcomes.push(checkNoLostCalls(scenario, phase));
      if (phase.mode === 'roundrobin') outcomes.push(checkRoundRobin(scenario, phase, loadThreads));
      if (phase.mode === 'broadcast') outcomes.push(checkBroadcastReach(scenario, phase));
    }
  }
  for (const threshold of result.thresholds) {
    outcomes.push({
      scenario,
      phase: threshold.phase,
      check: 'threshold',
      expected: threshold.expression,
      actual: threshold.actual === null ? 'no value' : formatNumber(threshold.actual),
      passed: threshold.passed,
    });
  }
  return outcomes;
}

/** The allowed range of each server's count in a round robin over `servers` servers. */
export function roundRobinRange(total: number, servers: number, loadThreads: number): [number, number] {
  const slack = Math.max(loadThreads, 1) - 1;
  return [Math.max(Math.floor(total / servers) - slack, 0), Math.ceil(total / servers) + slack];
}

export function checkRoundRobin(
  scenario: string,
  phase: PhaseResult,
  loadThreads: number,
): CorrectnessOutcome {
  // Without the servers' own counts (a target without a debug page), the outcomes each got stand in.
  const serverCounts = phase.servers.every((server) => server.serverCount !== null);
  const counts = phase.servers.map((server) => (serverCounts ? server.serverCount! : server.clientCount));
  const total = counts.reduce((sum, count) => sum + count, 0);
  const [low, high] = roundRobinRange(total, counts.length, loadThreads);
  return {
    scenario,
    phase: phase.label,
    check: 'roundrobin-fairness',
    expected: `each of ${counts.length} servers handles ${low === high ? low : `${low}..${high}`} of ${total}`,
    actual: `${serverCounts ? 'server' : 'client'} counts ${counts.join(', ')}`,
    passed: counts.length > 0 && counts.every((count) => count >= low && count <= high),
  };
}

export function checkBroadcastReach(scenario: string, phase: PhaseResult): CorrectnessOutcome {
  const missed = phase.servers.filter((server) => (server.serverCount ?? server.clientCount) !== phase.calls);
  return {
    scenario,
    phase: phase.label,
    check: 'broadcast-reach',
    expected: `each of ${phase.servers.length} servers handles all ${phase.calls} broadcasts`,
    actual:
      missed.length === 0
        ? 'every server did'
        : missed
            .map(
              (server) =>
                `${server.address} handled ${server.serverCount ?? `${server.clientCount} (client count)`}`,
            )
            .join(', '),
    passed: phase.servers.length > 0 && missed.length === 0,
  };
}

export function checkNoLostCalls(scenario: string, phase: PhaseResult): CorrectnessOutcome {
  const dropped = phase.errorsByCode.ERR_DROPPED ?? 0;
  const perCall = phase.mode === 'broadcast' ? phase.servers.length : 1;
  const expectedOutcomes = (phase.calls - dropped) * perCall;
  const outcomes = phase.servers.reduce((sum, server) => sum + server.clientCount, 0);
  // A server the harness did not start may keep no counts (serverCount null): only the client's side is checked there.
  const mismatched = phase.servers.filter(
    (server) => server.serverCount !== null && server.serverCount !== server.clientCount,
  );
  const problems: string[] = [];
  if (outcomes !== expectedOutcomes) {
    problems.push(`${outcomes} outcomes for ${expectedOutcomes} calls sent`);
  }
  for (const server of mismatched) {
    problems.push(
      `${server.address} handled ${server.serverCount}, ${server.clientCount} outcomes came back`,
    );
  }
  return {
    scenario,
    phase: phase.label,
    check: 'no-lost-calls',
    expected: 'every call sent gets exactly one outcome',
    actual: problems.length === 0 ? `${outcomes} of ${expectedOutcomes}` : problems.join('; '),
    passed: problems.length === 0,
  };
}

function scenarioCrashesServers(config: Record<string, unknown>): boolean {
  const servers = config.servers as
    | { behaviour?: { crash?: unknown }; overrides?: Record<string, { crash?: unknown }> }
    | undefined;
  if (servers?.behaviour?.crash !== undefined) return true;
  return Object.values(servers?.overrides ?? {}).some((override) => override?.crash !== undefined);
}

function formatNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toPrecision(4);
}
