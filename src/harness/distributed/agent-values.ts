import { z } from 'zod';
import { phaseAgentSchema } from '../../result/result-schema.ts';
import { type LoadShareResult, MAX_EVENTS_PER_SHARE } from '../metrics/phase-recorder.ts';
import { AgentError } from './errors.ts';
import type { PhaseGo, PhaseWork } from './phase-messages.ts';

/** Names and texts a host writes are bounded: a coordinator holds them for the whole run. */
const MAX_NAME_CHARS = 256;
/** Pieces of one host's shares: at 64 KiB a piece, 1 GiB. */
const MAX_CHUNKS = 16_384;

/** A server's address, as a scenario, registry or etcd names it. */
const MAX_ADDRESS_CHARS = 4096;

const count = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const epochMs = z.number().finite();
const durationMs = z.number().finite().nonnegative();
const codeCounts = z.record(z.string().max(MAX_NAME_CHARS), count);
const address = z.string().max(MAX_ADDRESS_CHARS);
/** An HdrHistogram in its compressed base64 form, '' when empty. */
const encodedHistogram = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'not a base64 histogram');

/** `hosts/<name>`: a load host announcing itself. */
export const agentInfoSchema = z.object({
  name: z.string().min(1).max(MAX_NAME_CHARS),
  host: z.string().max(MAX_NAME_CHARS),
  cores: count,
  node: z.string().max(MAX_NAME_CHARS),
  commit: z.string().max(MAX_NAME_CHARS).nullable(),
  threads: z.number().int().positive().max(4096).nullable(),
});

/** `<phase>/warmed/<name>`: its clock when its threads were ready. */
export const warmedSchema = z.object({ atEpochMs: epochMs });

/** `<phase>/progress/<name>`: its figures of the second just gone. */
export const progressSchema = z.object({
  calls: count,
  errors: count,
  p99Us: z.number().finite().nonnegative(),
});

/** `<phase>/done/<name>`: its shares are written, and its own figures. */
export const phaseDoneSchema = z.object({
  chunks: z.number().int().positive().max(MAX_CHUNKS),
  goHeardAtEpochMs: epochMs.nullable(),
  figures: phaseAgentSchema.pick({
    calls: true,
    errors: true,
    ok: true,
    dropped: true,
    offeredPerSecond: true,
    callsPerSecond: true,
    clientCounts: true,
    latency: true,
    durationMs: true,
    stopped: true,
  }),
});

const serverIntervalSchema = z.object({
  calls: count,
  errors: count,
  errorsByCode: codeCounts,
  encoded: encodedHistogram,
});

const outlierEventSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('ejected'),
    address,
    atMs: epochMs,
    reason: z.enum(['consecutive-errors', 'failure-percentage']),
    ejectionMs: durationMs,
  }),
  z.object({ kind: z.literal('returned'), address, atMs: epochMs }),
]);

/** `<phase>/shares/<name>/<piece>`, joined: what each of the host's load threads recorded. */
export const loadSharesSchema = z.array(
  z.object({
    thread: count,
    stopped: z.boolean(),
    calls: count,
    errors: count,
    errorsByCode: codeCounts,
    errorSamples: z.record(z.string().max(MAX_NAME_CHARS), z.string()),
    addresses: z.array(address),
    clientCounts: z.array(count),
    serverErrors: z.array(count),
    intervalMs: z.number().finite().positive(),
    timeline: z.array(serverIntervalSchema.extend({ index: count, servers: z.array(serverIntervalSchema) })),
    elapsedMs: durationMs,
    events: z.array(outlierEventSchema).max(MAX_EVENTS_PER_SHARE),
    failedEncoded: encodedHistogram,
  }),
) satisfies z.ZodType<LoadShareResult[]>;

/** `<phase>/go`, as the coordinator writes it. */
export const phaseGoSchema = z.object({ startAtEpochMs: epochMs }) satisfies z.ZodType<PhaseGo>;

/**
 * `<phase>/plan`, as the coordinator writes it: checked in outline (each share is checked again
 * where it is run); bounded so that a hostile writer cannot make a host start unbounded threads.
 */
export const phaseWorkSchema = z.object({
  plan: z.looseObject({ label: z.string().max(MAX_NAME_CHARS) }),
  shares: z.record(z.string().max(MAX_NAME_CHARS), z.array(z.looseObject({})).min(1).max(4096)),
  // The keys must be the ones the coordinator writes: a renamed field fails to compile, not a run.
}) satisfies z.ZodType<Record<keyof PhaseWork, unknown>>;

/**
 * Parses what load host `agent` wrote at `key`: JSON, then the schema. A value that is neither
 * ends the run with an AgentError naming the host and the key.
 */
export function parseAgentValue<T>(schema: z.ZodType<T>, agent: string, key: string, text: string): T {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw malformed(agent, key, `not JSON (${(error as Error).message})`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw malformed(agent, key, `${issue.path.join('.') || 'the value'}: ${issue.message}`);
  }
  return parsed.data;
}

function malformed(agent: string, key: string, reason: string): AgentError {
  return new AgentError([agent], `load host ${agent} wrote a malformed value at ${key}: ${reason}`);
}
