import { z } from 'zod';
import { threadProfilesSchema } from './profile-schema.ts';
import { capacitySearchSchema } from './search-schema.ts';

/**
 * The result file of one scenario run: what `npm run bench` writes to reports/, what the HTML
 * report draws and what the gate compares. Bump RESULT_SCHEMA_VERSION on any incompatible change.
 * All latencies are integer microseconds (hdr histograms keep integers).
 */
export const RESULT_SCHEMA_VERSION = 2;

export const latencySummarySchema = z.object({
  count: z.number().int().nonnegative(),
  minUs: z.number().nonnegative(),
  meanUs: z.number().nonnegative(),
  stdevUs: z.number().nonnegative(),
  p50Us: z.number().nonnegative(),
  p90Us: z.number().nonnegative(),
  p99Us: z.number().nonnegative(),
  p999Us: z.number().nonnegative(),
  maxUs: z.number().nonnegative(),
});

/** A histogram: its summary, and the HdrHistogram V2 compressed base64 form it can be redrawn from. */
export const histogramSchema = z.object({
  summary: latencySummarySchema,
  encoded: z.string(),
});

export const fairnessSchema = z.object({
  /** Jain's index, 1/n (one server takes all) to 1 (even, or exactly as weighted). */
  jain: z.number(),
  /** Coefficient of variation of the per-server counts divided by their expected shares. */
  cv: z.number(),
  /** Largest over smallest per-server count (Infinity is written as null). */
  maxMinRatio: z.number().nullable(),
  chiSquare: z.number(),
  degreesOfFreedom: z.number().int().nonnegative(),
  pValue: z.number(),
});

/**
 * One interval of a timeline (the phase's, or one server's). Latencies are of the interval's
 * successful calls; `calls` counts the calls completed in it, failed ones included. Intervals are
 * `timelineIntervalMs` long (100 ms by default), longer in long phases (see result/timeline.ts);
 * the last one covers only up to the phase's last completion.
 */
export const timelineEntrySchema = z.object({
  /** From the phase start, ms. */
  startMs: z.number().nonnegative(),
  durationMs: z.number().nonnegative(),
  calls: z.number().int().nonnegative(),
  errors: z.number().int().nonnegative(),
  errorsByCode: z.record(z.string(), z.number().int().nonnegative()),
  p50Us: z.number().nonnegative(),
  p99Us: z.number().nonnegative(),
  maxUs: z.number().nonnegative(),
  /** The interval's latencies, HdrHistogram V2 compressed base64. */
  encoded: z.string(),
});

export const serverShareSchema = z.object({
  address: z.string(),
  weight: z.number().positive(),
  /** Calls the load generators sent to this server. */
  clientCount: z.number().int().nonnegative(),
  /** Of those, the ones that failed with an error naming this server. */
  errors: z.number().int().nonnegative(),
  /** Calls the server itself counted: the ground truth; null when it could not be read (external servers). */
  serverCount: z.number().int().nonnegative().nullable(),
  share: z.number(),
  expectedShare: z.number(),
  latency: histogramSchema,
  timeline: z.array(timelineEntrySchema),
});

/** A server taken out of selection by an XClient's outlier detection, or let back; `atMs` from the phase start. */
export const outlierEventSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('ejected'),
    address: z.string(),
    atMs: z.number(),
    reason: z.enum(['consecutive-errors', 'failure-percentage']),
    ejectionMs: z.number().nonnegative(),
  }),
  z.object({ kind: z.literal('returned'), address: z.string(), atMs: z.number() }),
]);

/** One measured load phase: a select mode, or one side of a comparison such as cached vs dial. */
/** One load host's share of a phase, as it measured it itself (load from several hosts). */
export const phaseAgentSchema = z.object({
  name: z.string(),
  host: z.string(),
  cores: z.number().int().nonnegative(),
  threads: z.number().int().positive(),
  /** Calls offered, dropped ones included, as the phase's `calls`. */
  calls: z.number().int().nonnegative(),
  errors: z.number().int().nonnegative(),
  /** Achieved: its calls that completed, ok or failed, per second. */
  callsPerSecond: z.number().nonnegative(),
  /** As the phase's: its ok calls, dropped calls and offered rate. Absent from hosts of older versions. */
  ok: z.number().int().nonnegative().optional(),
  dropped: z.number().int().nonnegative().optional(),
  offeredPerSecond: z.number().nonnegative().optional(),
  /** Its calls per server address, as it counted them. */
  clientCounts: z.record(z.string(), z.number().int().nonnegative()),
  latency: histogramSchema,
  /** The measured window: the planned start instant (epoch ms, the coordinator's clock) and its length. */
  startAtEpochMs: z.number(),
  durationMs: z.number().nonnegative(),
  /** When the host heard the go, on its own clock: after startAtEpochMs it started that much late. */
  goHeardAtEpochMs: z.number(),
  /**
   * The coordinator's clock minus the host's, estimated when its warmed key arrived (the etcd delay
   * included, a few ms on a LAN): the host started at startAtEpochMs on its clock, this much off.
   */
  clockOffsetMs: z.number(),
  /** It stopped measuring early: stopped by the coordinator, or it was lost mid-phase. */
  stopped: z.boolean(),
});

export const phaseResultSchema = z.object({
  label: z.string(),
  mode: z.string(),
  reuseClients: z.boolean(),
  durationMs: z.number().nonnegative(),
  /** Calls offered: made, or due and dropped (the open model's `dropped`). */
  calls: z.number().int().nonnegative(),
  /** Calls not ok, dropped ones included (`errorsByCode.ERR_DROPPED`). */
  errors: z.number().int().nonnegative(),
  errorsByCode: z.record(z.string(), z.number().int().nonnegative()),
  /** The first message seen for each error code. */
  errorSamples: z.record(z.string(), z.string()).optional(),
  /** Calls that succeeded. Absent in results written before it existed: calls − errors. */
  ok: z.number().int().nonnegative().optional(),
  /** Open model: calls due while `maxInFlight` were pending, never sent. Absent in older results. */
  dropped: z.number().int().nonnegative().optional(),
  /** Calls offered per second, dropped ones included. Absent in older results. */
  offeredPerSecond: z.number().nonnegative().optional(),
  /** Achieved: calls that completed (ok or failed, not dropped) per second. */
  callsPerSecond: z.number().nonnegative(),
  /** Latencies of the successful calls only. */
  latency: histogramSchema,
  /**
   * Latencies of the calls that failed with a reply (ERR_REMOTE: the server answered an error;
   * ERR_CHECK: the check refused the answer). Absent in older results.
   */
  failedLatency: histogramSchema.optional(),
  servers: z.array(serverShareSchema),
  fairness: fairnessSchema.nullable(),
  /**
   * Where shares and fairness come from: the servers' own counts (simulated servers, and external
   * ones whose debug page could be read), or only the clients' when no server count could be read.
   * Absent in results of simulated servers written before it existed: 'servers'.
   */
  countsFrom: z.enum(['servers', 'clients']).optional(),
  /** External servers that joined or left the registry's or etcd's list during the phase. */
  membership: z
    .array(
      z.object({
        /** From the phase's start, ms. */
        atMs: z.number(),
        address: z.string(),
        change: z.enum(['joined', 'left']),
      }),
    )
    .optional(),
  timeline: z.array(timelineEntrySchema),
  /** Outlier ejections and returns, in time order. Optional. */
  events: z.array(outlierEventSchema).optional(),
  /** Set when the phase was a capacity search: its figures above are those of the step at the rate found. */
  search: capacitySearchSchema.optional(),
  /** Load from several hosts: each host's own figures; the phase's are their exact merge. */
  agents: z.array(phaseAgentSchema).optional(),
  /** The run was stopped while this phase measured: its figures cover the `durationMs` measured until then. */
  interrupted: z.boolean().optional(),
});

export const microBenchmarkSchema = z.object({
  name: z.string(),
  samples: z.number().int().nonnegative(),
  opsPerSecond: z.number().nonnegative(),
  meanUs: z.number().nonnegative(),
  p50Us: z.number().nonnegative(),
  p99Us: z.number().nonnegative(),
  rmePercent: z.number().nonnegative(),
  /** Mean time over the first benchmark's of the list (the cached call): 1 for that one. Optional: added in v1. */
  ratio: z.number().nonnegative().optional(),
});

/** autocannon's figures: whole milliseconds, so loopback p50 often reads 0. */
export const httpBaselineSchema = z.object({
  connections: z.number().int().positive(),
  durationMs: z.number().nonnegative(),
  requests: z.number().int().nonnegative(),
  requestsPerSecond: z.number().nonnegative(),
  resolutionMs: z.literal(1),
  latencyMs: z.object({
    mean: z.number(),
    p50: z.number(),
    p90: z.number(),
    p99: z.number(),
    max: z.number(),
  }),
  errors: z.number().int().nonnegative(),
  non2xx: z.number().int().nonnegative(),
});

export const thresholdOutcomeSchema = z.object({
  /** As written in the scenario, e.g. `p99 < 5ms`. */
  expression: z.string(),
  metric: z.string(),
  /** The phase it was checked against; null means every phase. */
  phase: z.string().nullable(),
  actual: z.number().nullable(),
  passed: z.boolean(),
});

export const environmentSchema = z.object({
  node: z.string(),
  platform: z.string(),
  arch: z.string(),
  cpuModel: z.string(),
  cores: z.number().int().positive(),
  totalMemoryBytes: z.number().nonnegative(),
  gitCommit: z.string().nullable(),
});

export const runResultSchema = z.object({
  kind: z.literal('rpcbench-result'),
  schemaVersion: z.literal(RESULT_SCHEMA_VERSION),
  /** True when the run was interrupted (Ctrl-C): the figures cover only what ran. */
  partial: z.boolean(),
  /**
   * Where an interrupted run was when it stopped: `phase` (null before the first phase or between
   * two) and its stage. Stopped in `warm-up`, that phase measured nothing and is not among `phases`;
   * stopped in `measure`, its result holds the calls so far and is marked `interrupted`.
   */
  stoppedIn: z
    .object({
      phase: z.string().nullable(),
      stage: z.enum(['start', 'warm-up', 'measure', 'between phases', 'extras']),
    })
    .optional(),
  startedAt: z.string(),
  finishedAt: z.string(),
  scenario: z.object({
    file: z.string(),
    name: z.string(),
    description: z.string(),
    /** The validated scenario, defaults applied. */
    config: z.record(z.string(), z.unknown()),
  }),
  environment: environmentSchema,
  phases: z.array(phaseResultSchema),
  micro: z.array(microBenchmarkSchema),
  httpBaseline: httpBaselineSchema.nullable(),
  thresholds: z.array(thresholdOutcomeSchema),
  /** Load from several hosts: the hosts of the run, and those lost mid-run (their lease expired). */
  agents: z
    .object({
      etcd: z.array(z.string()),
      hosts: z.array(
        z.object({
          name: z.string(),
          host: z.string(),
          cores: z.number().int().nonnegative(),
          threads: z.number().int().positive(),
          node: z.string(),
        }),
      ),
      lost: z.array(z.string()),
    })
    .optional(),
  memory: z.object({
    rssStartBytes: z.number().nonnegative(),
    rssEndBytes: z.number().nonnegative(),
  }),
  /** With --profile: the CPU profiles written beside the result, per kind of thread. */
  profiles: z.array(threadProfilesSchema).optional(),
});

export type LatencySummary = z.infer<typeof latencySummarySchema>;
export type HistogramRecord = z.infer<typeof histogramSchema>;
export type Fairness = z.infer<typeof fairnessSchema>;
export type ServerShare = z.infer<typeof serverShareSchema>;
export type TimelineEntry = z.infer<typeof timelineEntrySchema>;
export type PhaseResult = z.infer<typeof phaseResultSchema>;
export type PhaseAgentFigures = z.infer<typeof phaseAgentSchema>;
export type MicroBenchmark = z.infer<typeof microBenchmarkSchema>;
export type HttpBaseline = z.infer<typeof httpBaselineSchema>;
export type ThresholdOutcome = z.infer<typeof thresholdOutcomeSchema>;
export type Environment = z.infer<typeof environmentSchema>;
export type StoppedIn = NonNullable<z.infer<typeof runResultSchema>['stoppedIn']>;
export type RunResult = z.infer<typeof runResultSchema>;
