import { z } from 'zod';
import { isValidPercentile } from '../result/percentile.ts';
import { DEFAULT_TIMELINE_INTERVAL_MS } from '../result/timeline.ts';
import { CODEC_NAMES, CODEC_SHORT_NAME_LIST, codecNamed, shortCodecName } from '../rpc/codec/codec.ts';
import { planPhases, type ScenarioSelectMode, SELECT_MODE_NAMES } from './phase-plan.ts';
import { callSchema, serviceModuleSchema, targetSchema } from './target-schema.ts';
import { parseThreshold } from './threshold.ts';

/** Every default a scenario field takes, in one place; "Scenario format" in docs/scenarios.md lists them. */
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
  searchStartRatePerSecond: 100,
  searchMaxRatePerSecond: 1_000_000,
  searchStepDurationMs: 1_000,
  searchStepWarmupMs: 200,
  searchMinCallsPerStep: 200,
  searchMaxSteps: 20,
  searchMaxMs: 120_000,
  searchPrecision: 0.05,
  searchRepeats: 2,
  searchMinAchievedFraction: 0.95,
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
/** 7 days: a soak test runs for days; a phase's timeline stays bounded however long (result/timeline.ts). */
export const MAX_DURATION_MS = 7 * 86_400_000;
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

/** Each limit of GobBudget, the decoder's defaults applying to those left out. */
const gobBudgetSchema = z.strictObject(
  {
    elementsPerByte: positiveInteger(Number.MAX_SAFE_INTEGER).optional(),
    elementAllowance: positiveInteger(Number.MAX_SAFE_INTEGER).optional(),
    maxTypes: positiveInteger(Number.MAX_SAFE_INTEGER).optional(),
    maxTypeFields: positiveInteger(Number.MAX_SAFE_INTEGER).optional(),
    maxTypeDefinitionBytes: positiveInteger(Number.MAX_SAFE_INTEGER).optional(),
  },
  {
    error:
      'must be an object of elementsPerByte, elementAllowance, maxTypes, maxTypeFields, maxTypeDefinitionBytes',
  },
);

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

/** From `atMs` after the measured phase starts, the server takes these values (until the next step). */
export const behaviourStepSchema = z.strictObject({
  atMs: nonNegativeInteger(MAX_DURATION_MS),
  slowFactor: number()
    .min(1, { error: 'must be at least 1' })
    .max(10_000, { error: 'must be at most 10000' })
    .optional(),
  errorRate: number()
    .min(0, { error: 'must be between 0 and 1' })
    .max(1, { error: 'must be between 0 and 1' })
    .optional(),
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
  /** slowFactor and errorRate changing over the phase: a server that degrades and recovers. */
  schedule: z
    .array(behaviourStepSchema, { error: 'must be a list of { atMs, slowFactor?, errorRate? }' })
    .max(1_000, { error: 'must have at most 1000 steps' })
    .refine((steps) => steps.every((step, i) => i === 0 || step.atMs > steps[i - 1]!.atMs), {
      error: 'steps must be in increasing atMs order',
    }),
};

/** What every server does unless an override says otherwise. */
export const behaviourSchema = z.strictObject({
  serviceTime: behaviourFields.serviceTime.default({ distribution: 'fixed', us: 0 }),
  errorRate: behaviourFields.errorRate.default(SCENARIO_DEFAULTS.errorRate),
  slowFactor: behaviourFields.slowFactor.default(SCENARIO_DEFAULTS.slowFactor),
  stall: behaviourFields.stall.optional(),
  crash: behaviourFields.crash.optional(),
  weight: behaviourFields.weight.default(SCENARIO_DEFAULTS.weight),
  schedule: behaviourFields.schedule.optional(),
});

/** A per-server override: any behaviour field, the rest from `servers.behaviour`. */
export const behaviourOverrideSchema = z.strictObject({
  serviceTime: behaviourFields.serviceTime.optional(),
  errorRate: behaviourFields.errorRate.optional(),
  slowFactor: behaviourFields.slowFactor.optional(),
  stall: behaviourFields.stall.optional(),
  crash: behaviourFields.crash.optional(),
  weight: behaviourFields.weight.optional(),
  schedule: behaviourFields.schedule.optional(),
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
  /**
   * A module whose default export (a class or an object) every server registers beside `Load`: its
   * methods, wrapped in the behaviours above, are what `call.method` names. Relative to the scenario file.
   */
  service: serviceModuleSchema.optional(),
});

/** At most this many stages in a ramp. */
const MAX_STAGES = 100;

const stagesSchema = <T extends z.ZodType>(stage: T) =>
  z
    .array(stage, { error: 'must be a list of stages' })
    .min(1, { error: 'must list at least one stage' })
    .max(MAX_STAGES, { error: `must list at most ${MAX_STAGES} stages` });

export const closedStageSchema = z.strictObject({
  durationMs: positiveInteger(MAX_DURATION_MS),
  /** Callers at the end of the stage; the count moves linearly to it from the previous stage's. */
  concurrency: nonNegativeInteger(MAX_CONCURRENCY),
});

export const openStageSchema = z.strictObject({
  durationMs: positiveInteger(MAX_DURATION_MS),
  /** Rate at the end of the stage; it moves linearly to it from the previous stage's. */
  ratePerSecond: number()
    .min(0, { error: 'must be a non-negative number' })
    .max(MAX_RATE_PER_SECOND, { error: `must be at most ${MAX_RATE_PER_SECOND}` }),
});

/**
 * A ramp's level field (`concurrency`, `ratePerSecond`) resolves to the stages' peak: it may be left
 * out, and when written must equal it, so that a resolved scenario validates again unchanged.
 */
function checkRamp(
  load: { stages?: readonly Record<string, number>[] | undefined } & Record<string, unknown>,
  ctx: z.RefinementCtx,
  fields: { level: string; start: string; defaultStart: number },
): void {
  const { level, start, defaultStart } = fields;
  if (load.stages === undefined) {
    if (load[start] !== undefined)
      ctx.addIssue({ code: 'custom', path: [start], message: `${start} needs stages` });
    return;
  }
  const peak = rampPeak((load[start] as number | undefined) ?? defaultStart, load.stages, level);
  if (peak <= 0)
    ctx.addIssue({ code: 'custom', path: ['stages'], message: `some stage must have a ${level} above 0` });
  else if (load[level] !== undefined && load[level] !== peak) {
    ctx.addIssue({
      code: 'custom',
      path: [level],
      message: `with stages, ${level} is their peak (${peak}): leave it out`,
    });
  }
}

function rampPeak(start: number, stages: readonly Record<string, number>[], level: string): number {
  return Math.max(start, ...stages.map((stage) => stage[level]!));
}

/**
 * A closed load: `concurrency` callers, or `stages` ramping the callers from `startConcurrency`
 * (default 1, as k6's startVUs). Resolved, `concurrency` is the peak, which bounds memory.
 */
export const closedLoadSchema = z
  .strictObject({
    model: z.literal('closed'),
    /** Calls kept in flight at all times, over all load threads; with stages, their peak. */
    concurrency: positiveInteger(MAX_CONCURRENCY).optional(),
    /** Callers at the start of the first stage. @default 1 */
    startConcurrency: nonNegativeInteger(MAX_CONCURRENCY).optional(),
    /** The phase lasts the sum of their durations; see harness/load/load-schedule.ts. */
    stages: stagesSchema(closedStageSchema).optional(),
  })
  .superRefine((load, ctx) =>
    checkRamp(load, ctx, { level: 'concurrency', start: 'startConcurrency', defaultStart: 1 }),
  )
  .transform(({ stages, startConcurrency, concurrency, ...rest }) => {
    if (stages === undefined) return { ...rest, concurrency: concurrency ?? SCENARIO_DEFAULTS.concurrency };
    const start = startConcurrency ?? 1;
    return { ...rest, concurrency: rampPeak(start, stages, 'concurrency'), startConcurrency: start, stages };
  });

/**
 * An open load: `ratePerSecond`, or `stages` ramping the rate from `startRatePerSecond` (default 0,
 * as k6's startRate). Resolved, `ratePerSecond` is the peak.
 */
export const openLoadSchema = z
  .strictObject({
    model: z.literal('open'),
    /** Calls started per second over all load threads, evenly spaced; with stages, their peak. */
    ratePerSecond: positiveNumber(MAX_RATE_PER_SECOND).optional(),
    /** Rate at the start of the first stage. @default 0 */
    startRatePerSecond: number()
      .min(0, { error: 'must be a non-negative number' })
      .max(MAX_RATE_PER_SECOND, { error: `must be at most ${MAX_RATE_PER_SECOND}` })
      .optional(),
    /** The phase lasts the sum of their durations; see harness/load/load-schedule.ts. */
    stages: stagesSchema(openStageSchema).optional(),
    /** A call due while this many are pending is dropped and counted as an ERR_DROPPED error. */
    maxInFlight: positiveInteger(1_000_000).default(SCENARIO_DEFAULTS.maxInFlight),
  })
  .superRefine((load, ctx) => {
    if (load.ratePerSecond === undefined && load.stages === undefined) {
      ctx.addIssue({ code: 'custom', path: ['ratePerSecond'], message: 'is required (or give stages)' });
    }
    checkRamp(load, ctx, { level: 'ratePerSecond', start: 'startRatePerSecond', defaultStart: 0 });
  })
  .transform(({ stages, startRatePerSecond, ratePerSecond, ...rest }) => {
    if (stages === undefined) return { ...rest, ratePerSecond: ratePerSecond ?? 0 };
    const start = startRatePerSecond ?? 0;
    return {
      ...rest,
      ratePerSecond: rampPeak(start, stages, 'ratePerSecond'),
      startRatePerSecond: start,
      stages,
    };
  });

/**
 * A capacity search: open-model steps of `stepDurationMs` at rising rates, then bisection, for the
 * highest rate that meets every objective in `slo`. See harness/search/capacity-search.ts.
 */
export const searchLoadSchema = z.strictObject({
  model: z.literal('search'),
  /** Objectives in threshold syntax without a phase, e.g. "p99 < 5ms" or ["p99 < 5ms", "errors < 0.1%"]. */
  slo: z
    .union([z.string(), z.array(z.string()).min(1, { error: 'must list at least one objective' })], {
      error: 'must be a threshold such as "p99 < 5ms", or a list of them',
    })
    .transform((value) => (Array.isArray(value) ? value : [value])),
  /** The first step's rate; each passing step doubles it until one fails. */
  startRatePerSecond: positiveNumber(MAX_RATE_PER_SECOND).default(SCENARIO_DEFAULTS.searchStartRatePerSecond),
  /** No step offers more than this. */
  maxRatePerSecond: positiveNumber(MAX_RATE_PER_SECOND).default(SCENARIO_DEFAULTS.searchMaxRatePerSecond),
  /** Each step is measured this long, after `stepWarmupMs` of the same load. */
  stepDurationMs: positiveInteger(MAX_DURATION_MS).default(SCENARIO_DEFAULTS.searchStepDurationMs),
  /**
   * A step at a low rate lasts long enough for this many calls (a p99 of fewer than 100 calls is
   * their maximum), up to 10 × stepDurationMs.
   */
  minCallsPerStep: nonNegativeInteger(1_000_000).default(SCENARIO_DEFAULTS.searchMinCallsPerStep),
  stepWarmupMs: nonNegativeInteger(MAX_DURATION_MS).default(SCENARIO_DEFAULTS.searchStepWarmupMs),
  /** Steps in all, repeats included. */
  maxSteps: positiveInteger(200).default(SCENARIO_DEFAULTS.searchMaxSteps),
  /** No step starts once the search has run this long. */
  maxSearchMs: positiveInteger(MAX_DURATION_MS).default(SCENARIO_DEFAULTS.searchMaxMs),
  /** Bisection stops once the first failing rate is within this fraction above the last passing one. */
  precision: positiveNumber(1).default(SCENARIO_DEFAULTS.searchPrecision),
  /** Extra measurements at the rate found, for the spread of its figures. */
  repeats: nonNegativeInteger(20).default(SCENARIO_DEFAULTS.searchRepeats),
  /** A step whose achieved rate is below this fraction of the offered one fails: something could not keep up. */
  minAchievedFraction: positiveNumber(1).default(SCENARIO_DEFAULTS.searchMinAchievedFraction),
  maxInFlight: positiveInteger(1_000_000).default(SCENARIO_DEFAULTS.maxInFlight),
});

export const loadModelSchema = z.discriminatedUnion(
  'model',
  [closedLoadSchema, openLoadSchema, searchLoadSchema],
  {
    error:
      "must be { model: 'closed', concurrency | stages }, { model: 'open', ratePerSecond | stages } or { model: 'search', slo }",
  },
);

const percentage = () =>
  integer('an integer percentage')
    .min(0, { error: 'must be from 0 to 100' })
    .max(100, { error: 'must be from 0 to 100' });

/** The XClients' outlier ejection (see OutlierDetectionOptions for each field's default). */
export const outlierDetectionSchema = z.strictObject({
  consecutiveErrors: nonNegativeInteger(1_000_000).optional(),
  failurePercentage: percentage().optional(),
  minimumCalls: positiveInteger(1_000_000).optional(),
  intervalMs: positiveInteger(MAX_DURATION_MS).optional(),
  baseEjectionMs: positiveInteger(MAX_DURATION_MS).optional(),
  maxEjectedPercent: percentage().optional(),
  countApplicationErrors: z.boolean({ error: 'must be true or false' }).optional(),
  /** true: every phase runs once without ejection and once with it (labelled `+ejection`). */
  compare: z.boolean({ error: 'must be true or false' }).default(false),
});

const thresholdListSchema = z.array(z.string({ error: 'must be a string such as "p99 < 5ms"' }), {
  error: 'must be a list of strings such as "p99 < 5ms"',
});

const percentileListSchema = z
  .array(number().refine(isValidPercentile, { error: 'must be a percentile above 0 and at most 100' }), {
    error: 'must be a list of percentiles such as [50, 95, 99, 99.99]',
  })
  .min(1, { error: 'must list at least one percentile' })
  .max(12, { error: 'must list at most 12 percentiles' });

const scenarioObjectSchema = z.strictObject({
  name: z.string({ error: 'must be a string' }).regex(/^[A-Za-z0-9][\w.-]{0,79}$/, {
    error: 'must be letters, digits, ".", "_" or "-" (it names the result file)',
  }),
  description: z.string({ error: 'must be a string' }).default(SCENARIO_DEFAULTS.description),
  /** Simulated servers the run starts itself; the default when there is no `target`. */
  servers: serversSchema.optional(),
  /** External servers to load-test instead of simulated ones. */
  target: targetSchema.optional(),
  /** What each call sends; without it, `Load.Work` with a payloadBytes-long string. */
  call: callSchema.optional(),
  /**
   * The Go source declaring the target's service: a .go file or a package directory, relative to
   * the scenario file. Each call's arguments (args, argsFile lines, an args function's values) are
   * converted to the Go argument type of call.method as encoding/json would; needs codec 'gob'.
   */
  goTypes: z
    .string({ error: 'must be a path to a .go file or a directory' })
    .min(1, { error: 'must be a path to a .go file or a directory' })
    .optional(),
  transport: z
    .enum(['tcp', 'unix', 'http'], { error: 'must be one of tcp, unix, http' })
    .default(SCENARIO_DEFAULTS.transport),
  /** The short name; the full one (`application/gob`) is taken too. */
  codec: z
    .enum([...CODEC_SHORT_NAME_LIST, ...CODEC_NAMES], {
      error: `must be one of ${CODEC_SHORT_NAME_LIST.join(', ')} (or ${CODEC_NAMES.join(', ')})`,
    })
    .transform((name) => shortCodecName(codecNamed(name)!))
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
  /** Ejects failing servers from selection, in every phase (or compared, see `compare`). */
  outlierDetection: outlierDetectionSchema.optional(),
  /** The time constant of peak-ewma's latency estimate, ms. @default 1000 */
  peakEwmaDecayMs: positiveInteger(MAX_DURATION_MS).optional(),
  /** Every call gives up after this long; 0 waits for ever (a crash still ends it). */
  callTimeoutMs: nonNegativeInteger(MAX_DURATION_MS).default(SCENARIO_DEFAULTS.callTimeoutMs),
  /**
   * Replies that answer no call a server may send on one connection before the connection is
   * closed with ERR_BAD_FRAME (ClientOptions.maxUnsolicitedReplies). @default 1024
   */
  maxUnsolicitedReplies: nonNegativeInteger(Number.MAX_SAFE_INTEGER).optional(),
  /** What one gob reply and one connection's gob stream may make the clients hold (ClientOptions.gobBudget). */
  gobBudget: gobBudgetSchema.optional(),
  seed: integer('an integer').default(SCENARIO_DEFAULTS.seed),
  httpBaseline: z.boolean({ error: 'must be true or false' }).default(SCENARIO_DEFAULTS.httpBaseline),
  micro: z.boolean({ error: 'must be true or false' }).default(SCENARIO_DEFAULTS.micro),
  thresholds: thresholdListSchema.default([]),
  /**
   * Latency percentiles the summaries and exports show as columns, e.g. [50, 95, 99, 99.99].
   * @default DEFAULT_SUMMARY_PERCENTILES ([50, 90, 99, 99.9]), applied by the readers.
   */
  percentiles: percentileListSchema.optional(),
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
export const scenarioSchema = scenarioObjectSchema
  .superRefine((scenario, ctx) => {
    if (scenario.servers !== undefined && scenario.target !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['target'],
        message:
          'a scenario has either servers (simulated, started by the run) or target (external servers), not both',
      });
    }
    for (const extra of ['httpBaseline', 'micro'] as const) {
      if (scenario[extra] && scenario.target !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: [extra],
          message: 'measures the simulated servers: it cannot be used with target',
        });
      }
    }
    if (scenario.call === undefined && scenario.target !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['call'],
        message: "is required with target: say what to call, e.g. call: { method: 'Foo.Sum', args: {...} }",
      });
    }
    if (scenario.goTypes !== undefined && (scenario.call === undefined || scenario.codec !== 'gob')) {
      ctx.addIssue({
        code: 'custom',
        path: ['goTypes'],
        message: "needs call: { method: 'Service.Method' } and codec: 'gob' (the codec Go GeeRPC speaks)",
      });
    }
    if (scenario.call === undefined && scenario.servers?.service !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['call'],
        message: 'is required with servers.service: name one of its methods, e.g. call: { method: "KV.Get" }',
      });
    }
  })
  .transform((scenario) => ({ ...scenario, servers: scenario.servers ?? serversSchema.parse({}) }))
  .superRefine((scenario, ctx) => {
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
    if (scenario.load.model === 'search') checkSearchLoad(scenario.load, ctx);
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

/** A search's objectives parse as thresholds of no phase, and its bounds leave room for a search. */
function checkSearchLoad(load: z.output<typeof searchLoadSchema>, ctx: z.RefinementCtx): void {
  load.slo.forEach((expression, index) => {
    try {
      if (parseThreshold(expression).phase !== null) {
        ctx.addIssue({
          code: 'custom',
          path: ['load', 'slo', index],
          message: `objective "${expression}": a search objective holds for every step; write it without a phase`,
        });
      }
    } catch (error) {
      ctx.addIssue({ code: 'custom', path: ['load', 'slo', index], message: (error as Error).message });
    }
  });
  if (load.repeats >= load.maxSteps) {
    ctx.addIssue({
      code: 'custom',
      path: ['load', 'repeats'],
      message: `must be below maxSteps (${load.maxSteps}): the repeats come out of the steps`,
    });
  }
  if (load.startRatePerSecond > load.maxRatePerSecond) {
    ctx.addIssue({
      code: 'custom',
      path: ['load', 'startRatePerSecond'],
      message: `must be at most maxRatePerSecond (${load.maxRatePerSecond})`,
    });
  }
}

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

/** How long a phase is measured: the sum of the load's stages when it ramps, else `durationMs`. */
export function phaseDurationMs(scenario: Pick<ResolvedScenario, 'durationMs' | 'load'>): number {
  const { load } = scenario;
  if (load.model === 'search' || !('stages' in load)) return scenario.durationMs;
  let totalMs = 0;
  for (const stage of load.stages) totalMs += stage.durationMs;
  return totalMs;
}
