import { z } from 'zod';
import { DEFAULT_TIMELINE_INTERVAL_MS } from '../result/timeline.ts';
import { CODEC_SHORT_NAME_LIST } from '../rpc/codec/codec.ts';
import { planPhases, type ScenarioSelectMode, SELECT_MODE_NAMES } from './phase-plan.ts';
import { parseThreshold } from './threshold.ts';

/** Every default a scenario field takes, in one place; the README's "Scenario format" lists them. */
export const SCENARIO_DEFAULTS = Object.freeze({
  description: '',
  serverCount: 3,
  /** Server threads: the servers are spread over this many worker threads. */
  maxServerThreads: 2,
  transport: 'tcp',
  codec: 'msgpack',
  select: 'roundrobin',
  clients: 1,
  loadThreads: 1,
  concurrency: 64,
  maxInFlight: 1024,
  durationMs: 5_000,
  warmupMs: 1_000,
  payloadBytes: 64,
  reuseClients: true,
  failMode: 'failfast',
  retries: 3,
  callTimeoutMs: 5_000,
  seed: 1,
  httpBaseline: false,
  micro: false,
  weight: 1,
  errorRate: 0,
  slowFactor: 1,
  /** 512 MiB: the most a run may be estimated to hold in memory (see memory-budget.ts). */
  memoryBudgetBytes: 512 * 1024 * 1024,
  timelineIntervalMs: DEFAULT_TIMELINE_INTERVAL_MS,
} as const);

/** Limits that keep a typo from asking for something the machine cannot do. */
const MAX_SERVERS = 64;
const MAX_THREADS = 16;
const MAX_CONCURRENCY = 10_000;
const MAX_RATE_PER_SECOND = 1_000_000;
const MAX_DURATION_MS = 3_600_000;
const MAX_PAYLOAD_BYTES = 1024 * 1024;
/** 1 TiB: the largest memory budget a scenario may ask for. */
const MAX_MEMORY_BUDGET_BYTES = 2 ** 40;
/** A server index as an override key: "0", "1", ... "63"; never "01", "+1" or "1.0", which no server is looked up by. */
const SERVER_INDEX_KEY = /^(?:0|[1-9]\d{0,8})$/;

const number = () => z.number({ error: 'must be a number' });
const integer = (rule: string) => number().int({ error: `must be ${rule}` });
const positiveInteger = (max: number) =>
  integer('a positive integer')
    .min(1, { error: 'must be a positive integer' })
    .max(max, { error: `must be at most ${max}` });
const nonNegativeInteger = (max: number) =>
  integer('a non-negative integer')
    .min(0, { error: 'must be a non-negative integer' })
    .max(max, { error: `must be at most ${max}` });
const positiveNumber = (max: number) =>
  number()
    .gt(0, { error: 'must be a positive number' })
    .max(max, { error: `must be at most ${max}` });

const selectModeSchema = z.enum(SELECT_MODE_NAMES, {
  error: `must be one of ${SELECT_MODE_NAMES.join(', ')}`,
});

/** How long a server takes to answer a call, before any slowFactor or stall. */
export const serviceTimeSchema = z.discriminatedUnion(
  'distribution',
  [
    z.strictObject({ distribution: z.literal('fixed'), us: nonNegativeInteger(60_000_000) }),
    z.strictObject({ distribution: z.literal('exponential'), meanUs: positiveNumber(60_000_000) }),
    z.strictObject({
      distribution: z.literal('lognormal'),
      medianUs: positiveNumber(60_000_000),
      sigma: positiveNumber(5),
    }),
  ],
  { error: "must be { distribution: 'fixed' | 'exponential' | 'lognormal', ... }" },
);

export const stallSchema = z.strictObject({
  /** When the server stops answering, from the start of the measured phase. */
  atMs: nonNegativeInteger(MAX_DURATION_MS),
  /** How long it holds every reply; the calls are answered when the window ends. */
  durationMs: positiveInteger(MAX_DURATION_MS),
});

export const crashSchema = z.strictObject({
  /** When the server drops every connection and its listener, from the start of the measured phase. */
  atMs: nonNegativeInteger(MAX_DURATION_MS),
  /** Listens again on the same address this long after the crash; never when absent. */
  restartAfterMs: positiveInteger(MAX_DURATION_MS).optional(),
});

const behaviourFields = {
  serviceTime: serviceTimeSchema,
  /** Fraction of calls answered with an error, drawn from the server's seeded generator. */
  errorRate: number()
    .min(0, { error: 'must be between 0 and 1' })
    .max(1, { error: 'must be between 0 and 1' }),
  /** Multiplies the service time: 10 makes a server ten times slower. */
  slowFactor: number()
    .min(1, { error: 'must be at least 1' })
    .max(10_000, { error: 'must be at most 10000' }),
  stall: stallSchema,
  crash: crashSchema,
  /** The server's weight for weighted-roundrobin, and its expected share in the fairness figures. */
  weight: positiveNumber(1_000_000),
};

/** What every server does unless an override says otherwise. */
export const behaviourSchema = z.strictObject({
  serviceTime: behaviourFields.serviceTime.default({ distribution: 'fixed', us: 0 }),
  errorRate: behaviourFields.errorRate.default(SCENARIO_DEFAULTS.errorRate),
  slowFactor: behaviourFields.slowFactor.default(SCENARIO_DEFAULTS.slowFactor),
  stall: behaviourFields.stall.optional(),
  crash: behaviourFields.crash.optional(),
  weight: behaviourFields.weight.default(SCENARIO_DEFAULTS.weight),
});

/** A per-server override: any behaviour field, the rest from `servers.behaviour`. */
export const behaviourOverrideSchema = z.strictObject({
  serviceTime: behaviourFields.serviceTime.optional(),
  errorRate: behaviourFields.errorRate.optional(),
  slowFactor: behaviourFields.slowFactor.optional(),
  stall: behaviourFields.stall.optional(),
  crash: behaviourFields.crash.optional(),
  weight: behaviourFields.weight.optional(),
});

export const serversSchema = z.strictObject({
  count: positiveInteger(MAX_SERVERS).default(SCENARIO_DEFAULTS.serverCount),
  /** Worker threads hosting the servers. @default min(count, 2) */
  threads: positiveInteger(MAX_THREADS).optional(),
  behaviour: behaviourSchema.prefault({}),
  /** By server index ("0", "1", ...): decimal, without leading zeros, as resolveServerBehaviours looks them up. */
  overrides: z
    .record(
      z.string().regex(SERVER_INDEX_KEY, {
        error: (issue) =>
          `override key ${JSON.stringify(issue.input)} is not a server index: write "0", "1", ... (no sign, no leading zeros)`,
      }),
      behaviourOverrideSchema,
    )
    .default({}),
});

export const closedLoadSchema = z.strictObject({
  model: z.literal('closed'),
  /** Calls kept in flight at all times, over all load threads. */
  concurrency: positiveInteger(MAX_CONCURRENCY).default(SCENARIO_DEFAULTS.concurrency),
});

export const openLoadSchema = z.strictObject({
  model: z.literal('open'),
  /** Calls started per second over all load threads, evenly spaced. */
  ratePerSecond: positiveNumber(MAX_RATE_PER_SECOND),
  /** A call due while this many are pending is dropped and counted as an ERR_DROPPED error. */
  maxInFlight: positiveInteger(1_000_000).default(SCENARIO_DEFAULTS.maxInFlight),
});

export const loadModelSchema = z.discriminatedUnion('model', [closedLoadSchema, openLoadSchema], {
  error: "must be { model: 'closed', concurrency } or { model: 'open', ratePerSecond }",
});

const thresholdListSchema = z.array(z.string({ error: 'must be a string such as "p99 < 5ms"' }), {
  error: 'must be a list of strings such as "p99 < 5ms"',
});

const scenarioObjectSchema = z.strictObject({
  name: z.string({ error: 'must be a string' }).regex(/^[A-Za-z0-9][\w.-]{0,79}$/, {
    error: 'must be letters, digits, ".", "_" or "-" (it names the result file)',
  }),
  description: z.string({ error: 'must be a string' }).default(SCENARIO_DEFAULTS.description),
  servers: serversSchema.prefault({}),
  transport: z
    .enum(['tcp', 'unix', 'http'], { error: 'must be one of tcp, unix, http' })
    .default(SCENARIO_DEFAULTS.transport),
  codec: z
    .enum(CODEC_SHORT_NAME_LIST, { error: `must be one of ${CODEC_SHORT_NAME_LIST.join(', ')}` })
    .default(SCENARIO_DEFAULTS.codec),
  /** One select mode, or several to compare: each is a phase. */
  select: z
    .union([selectModeSchema, z.array(selectModeSchema).min(1, { error: 'must list at least one mode' })], {
      error: `must be a mode or a list of modes: ${SELECT_MODE_NAMES.join(', ')}`,
    })
    .default(SCENARIO_DEFAULTS.select)
    .transform((value) => (Array.isArray(value) ? value : [value])),
  /** XClients over all load threads; the ones in a thread share its discovery. */
  clients: positiveInteger(1_000).default(SCENARIO_DEFAULTS.clients),
  loadThreads: positiveInteger(MAX_THREADS).default(SCENARIO_DEFAULTS.loadThreads),
  load: loadModelSchema.prefault({ model: 'closed' }),
  /** Each phase is measured this long, or until `calls`, whichever comes first. */
  durationMs: positiveInteger(MAX_DURATION_MS).default(SCENARIO_DEFAULTS.durationMs),
  /** Calls per phase; without it a phase runs for durationMs. */
  calls: positiveInteger(1_000_000_000).optional(),
  warmupMs: nonNegativeInteger(MAX_DURATION_MS).default(SCENARIO_DEFAULTS.warmupMs),
  payloadBytes: nonNegativeInteger(MAX_PAYLOAD_BYTES).default(SCENARIO_DEFAULTS.payloadBytes),
  /** true: cached connections; false: dial, call and close for every call; 'compare': one phase of each. */
  reuseClients: z
    .union([z.boolean(), z.literal('compare')], { error: "must be true, false or 'compare'" })
    .default(SCENARIO_DEFAULTS.reuseClients),
  failMode: z
    .enum(['failfast', 'failover', 'failtry'], { error: 'must be one of failfast, failover, failtry' })
    .default(SCENARIO_DEFAULTS.failMode),
  retries: nonNegativeInteger(100).default(SCENARIO_DEFAULTS.retries),
  /** Every call gives up after this long; 0 waits for ever (a crash still ends it). */
  callTimeoutMs: nonNegativeInteger(MAX_DURATION_MS).default(SCENARIO_DEFAULTS.callTimeoutMs),
  seed: integer('an integer').default(SCENARIO_DEFAULTS.seed),
  httpBaseline: z.boolean({ error: 'must be true or false' }).default(SCENARIO_DEFAULTS.httpBaseline),
  micro: z.boolean({ error: 'must be true or false' }).default(SCENARIO_DEFAULTS.micro),
  thresholds: thresholdListSchema.default([]),
  /**
   * The most the run may be estimated to hold in memory, in bytes; above it the scenario is refused
   * before any server starts. @default SCENARIO_DEFAULTS.memoryBudgetBytes (512 MiB), applied by
   * checkMemoryBudget so that results of scenarios that leave it out are unchanged.
   */
  memoryBudgetBytes: positiveInteger(MAX_MEMORY_BUDGET_BYTES).optional(),
  /** The timeline's step, ms: calls, errors by code and latency percentiles per interval. */
  timelineIntervalMs: integer('an integer')
    .min(10, { error: 'must be at least 10 (ms)' })
    .max(60_000, { error: 'must be at most 60000 (ms)' })
    .default(SCENARIO_DEFAULTS.timelineIntervalMs),
});

/** The zod schema of a scenario: field rules, then the rules that tie fields together. */
export const scenarioSchema = scenarioObjectSchema.superRefine((scenario, ctx) => {
  const { servers } = scenario;
  for (const key of Object.keys(servers.overrides)) {
    if (Number(key) >= servers.count) {
      ctx.addIssue({
        code: 'custom',
        path: ['servers', 'overrides', key],
        message: `no server ${key}: servers are numbered 0 to ${servers.count - 1}`,
      });
    }
  }
  if (servers.threads !== undefined && servers.threads > servers.count) {
    ctx.addIssue({
      code: 'custom',
      path: ['servers', 'threads'],
      message: `must be at most servers.count (${servers.count})`,
    });
  }
  if (scenario.clients < scenario.loadThreads) {
    ctx.addIssue({
      code: 'custom',
      path: ['clients'],
      message: `must be at least loadThreads (${scenario.loadThreads}): every load thread drives its own XClients`,
    });
  }
  if (scenario.load.model === 'closed' && scenario.load.concurrency < scenario.loadThreads) {
    ctx.addIssue({
      code: 'custom',
      path: ['load', 'concurrency'],
      message: `must be at least loadThreads (${scenario.loadThreads})`,
    });
  }
  if (new Set(scenario.select).size !== scenario.select.length) {
    ctx.addIssue({ code: 'custom', path: ['select'], message: 'lists a mode twice' });
  }
  const labels = new Set(planPhases(scenario).map((phase) => phase.label));
  scenario.thresholds.forEach((expression, index) => {
    try {
      const threshold = parseThreshold(expression);
      if (threshold.phase !== null && !labels.has(threshold.phase)) {
        ctx.addIssue({
          code: 'custom',
          path: ['thresholds', index],
          message: `threshold "${expression}": no phase "${threshold.phase}"; phases are ${[...labels].join(', ')}`,
        });
      }
    } catch (error) {
      ctx.addIssue({ code: 'custom', path: ['thresholds', index], message: (error as Error).message });
    }
  });
});

/** What a scenario file writes: most fields optional. */
export type ScenarioInput = z.input<typeof scenarioSchema>;
/** A validated scenario with every default applied. */
export type ResolvedScenario = z.output<typeof scenarioSchema>;
export type ServiceTime = z.output<typeof serviceTimeSchema>;
export type ServerBehaviour = z.output<typeof behaviourSchema>;
export type { ScenarioSelectMode };
export type LoadModel = z.output<typeof loadModelSchema>;

/** Server threads actually used. */
export function serverThreadCount(scenario: ResolvedScenario): number {
  return scenario.servers.threads ?? Math.min(scenario.servers.count, SCENARIO_DEFAULTS.maxServerThreads);
}

/** Each server's behaviour: `servers.behaviour` with its override laid over it. */
export function resolveServerBehaviours(scenario: ResolvedScenario): ServerBehaviour[] {
  const { count, behaviour, overrides } = scenario.servers;
  return Array.from({ length: count }, (_, index) => {
    const override = overrides[String(index)] ?? {};
    const merged: ServerBehaviour = { ...behaviour };
    for (const [key, value] of Object.entries(override)) {
      if (value !== undefined) (merged as Record<string, unknown>)[key] = value;
    }
    return merged;
  });
}
