import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { environmentSchema } from '../result/result-schema.ts';
import { GateBaselineError } from './errors.ts';
import type { PhaseSamples } from './samples.ts';

/** Bump on any incompatible change of the baseline file: older files are then refused (exit 2). */
export const GATE_BASELINE_SCHEMA_VERSION = 1;
export const GATE_BASELINE_KIND = 'rpcbench-gate-baseline';
export const GATE_BASELINE_FILE = 'gate-baseline.json';

const samplesSchema = z.array(z.number().positive()).min(1);

const phaseBaselineSchema = z.object({
  phase: z.string(),
  cost: samplesSchema,
  throughput: samplesSchema,
  raw: z.object({
    rpcCallsPerSecond: z.number(),
    rpcCpuUsPerCall: z.number(),
    referenceCallsPerSecond: z.number(),
    referenceCpuUsPerCall: z.number(),
  }),
});

const scenarioBaselineSchema = z.object({
  name: z.string(),
  file: z.string(),
  /** A hash of what the probe of this scenario runs: a changed set-up makes the baseline stale. */
  fingerprint: z.string(),
  phases: z.array(phaseBaselineSchema),
});

export const gateBaselineSchema = z.object({
  kind: z.literal(GATE_BASELINE_KIND),
  schemaVersion: z.literal(GATE_BASELINE_SCHEMA_VERSION),
  /** The reference workload's version: figures divided by another reference do not compare. */
  reference: z.string(),
  createdAt: z.string(),
  environment: environmentSchema,
  settings: z.preprocess(
    // Baselines written before the measuring unit was called a window name it sliceMs.
    (settings) =>
      settings !== null && typeof settings === 'object' && 'sliceMs' in settings && !('windowMs' in settings)
        ? { ...settings, windowMs: (settings as { sliceMs: unknown }).sliceMs }
        : settings,
    z.object({ pairs: z.number().int().positive(), windowMs: z.number().positive() }),
  ),
  scenarios: z.array(scenarioBaselineSchema),
});

export type GateBaseline = z.infer<typeof gateBaselineSchema>;
export type ScenarioBaseline = z.infer<typeof scenarioBaselineSchema>;

/** What the current run expects of a baseline. */
export interface BaselineExpectation {
  reference: string;
  scenarios: readonly { name: string; fingerprint: string }[];
  /** The command that writes a fitting baseline, for the messages. */
  rewriteCommand: string;
}

export function baselinePath(dir: string): string {
  return join(dir, GATE_BASELINE_FILE);
}

/**
 * Reads the baseline in `dir` and checks that it can be compared with this run. Throws
 * GateBaselineError when it cannot: missing, not JSON, another schema version or reference, or
 * another set of scenarios (or a scenario whose set-up changed).
 */
export async function readBaseline(dir: string, expected: BaselineExpectation): Promise<GateBaseline> {
  const path = baselinePath(dir);
  const fix = `run \`${expected.rewriteCommand}\` to write one`;
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new GateBaselineError('ERR_BASELINE_MISSING', `no baseline at ${path}: ${fix}`, { cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new GateBaselineError('ERR_BASELINE_INVALID', `${path} is not JSON: ${fix}`, { cause: error });
  }
  const head = (json ?? {}) as { kind?: unknown; schemaVersion?: unknown; reference?: unknown };
  if (head.kind !== GATE_BASELINE_KIND) {
    throw new GateBaselineError('ERR_BASELINE_INVALID', `${path} is not a gate baseline: ${fix}`);
  }
  if (head.schemaVersion !== GATE_BASELINE_SCHEMA_VERSION) {
    throw new GateBaselineError(
      'ERR_BASELINE_SCHEMA',
      `${path} has schema version ${String(head.schemaVersion)}, this gate reads version ${GATE_BASELINE_SCHEMA_VERSION}: ${fix}`,
    );
  }
  if (head.reference !== expected.reference) {
    throw new GateBaselineError(
      'ERR_BASELINE_SCHEMA',
      `${path} was measured against reference "${String(head.reference)}", this gate uses "${expected.reference}": ${fix}`,
    );
  }
  const parsed = gateBaselineSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new GateBaselineError(
      'ERR_BASELINE_INVALID',
      `${path}: ${issue.path.join('.') || '(top level)'}: ${issue.message}: ${fix}`,
    );
  }
  checkScenarioSet(parsed.data, expected, path, fix);
  return parsed.data;
}

function checkScenarioSet(
  baseline: GateBaseline,
  expected: BaselineExpectation,
  path: string,
  fix: string,
): void {
  const inBaseline = new Map(baseline.scenarios.map((scenario) => [scenario.name, scenario]));
  const wanted = new Set(expected.scenarios.map((scenario) => scenario.name));
  const missing = [...wanted].filter((name) => !inBaseline.has(name));
  const extra = [...inBaseline.keys()].filter((name) => !wanted.has(name));
  if (missing.length > 0 || extra.length > 0) {
    const parts = [
      missing.length > 0 ? `not in the baseline: ${missing.join(', ')}` : '',
      extra.length > 0 ? `only in the baseline: ${extra.join(', ')}` : '',
    ].filter((part) => part !== '');
    throw new GateBaselineError(
      'ERR_BASELINE_SCENARIOS',
      `${path} was written for another set of scenarios (${parts.join('; ')}): ${fix}`,
    );
  }
  const changed = expected.scenarios.filter(
    (scenario) => inBaseline.get(scenario.name)!.fingerprint !== scenario.fingerprint,
  );
  if (changed.length > 0) {
    throw new GateBaselineError(
      'ERR_BASELINE_SCENARIOS',
      `${path}: the set-up of ${changed.map((scenario) => scenario.name).join(', ')} changed since the baseline was written: ${fix}`,
    );
  }
}

/** Writes the baseline atomically (a temporary file renamed over the old one). */
export async function writeBaseline(dir: string, baseline: GateBaseline): Promise<string> {
  await mkdir(dir, { recursive: true });
  const path = baselinePath(dir);
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, `${formatBaseline(baseline)}\n`);
  await rename(temporary, path);
  return path;
}

/** Indented JSON with each list of samples on one line: a diff of the file stays readable. */
export function formatBaseline(baseline: GateBaseline): string {
  return JSON.stringify(baseline, roundSamples, 2).replace(
    /\[\s*(-?\d[\d.e+-]*(?:,\s*-?\d[\d.e+-]*)*)\s*\]/g,
    (_, list: string) => `[${list.split(/,\s*/).join(', ')}]`,
  );
}

/** Six significant digits are far below the noise, and keep the committed file readable. */
function roundSamples(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isInteger(value) ? Number(value.toPrecision(6)) : value;
}

/** The baseline entry of a scenario, built from its measured phases. */
export function scenarioBaselineOf(
  name: string,
  file: string,
  fingerprint: string,
  phases: readonly PhaseSamples[],
): ScenarioBaseline {
  return { name, file, fingerprint, phases: phases.map((phase) => ({ ...phase })) };
}
