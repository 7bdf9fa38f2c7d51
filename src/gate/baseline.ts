import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { environmentSchema } from '../result/result-schema.ts';
import { GateBaselineError } from './errors.ts';
import type { PhaseSamples } from './samples.ts';

/** Bump on any incompatible change of the baseline file: older files are then refused (exit 2). */
export const GATE_BASELINE_SCHEMA_VERSION = 2;
/** Version 1 held one machine's figures at the top level; it still reads, as one machine. */
const SINGLE_MACHINE_SCHEMA_VERSION = 1;
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

/** The figures of one kind of machine (one CPU model). */
const machineBaselineSchema = z.object({
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

/**
 * The baseline file: figures per CPU model, because the ratios to the reference, though free of
 * a machine's speed, still differ between CPU models by up to about 15 % for the same code.
 */
export const gateBaselineSchema = z.preprocess(
  (file) => {
    if (file === null || typeof file !== 'object') return file;
    const { kind, schemaVersion, reference, ...machine } = file as Record<string, unknown>;
    return schemaVersion === SINGLE_MACHINE_SCHEMA_VERSION
      ? { kind, schemaVersion: GATE_BASELINE_SCHEMA_VERSION, reference, machines: [machine] }
      : file;
  },
  z.object({
    kind: z.literal(GATE_BASELINE_KIND),
    schemaVersion: z.literal(GATE_BASELINE_SCHEMA_VERSION),
    /** The reference workload's version: figures divided by another reference do not compare. */
    reference: z.string(),
    machines: z.array(machineBaselineSchema).min(1),
  }),
);

export type GateBaselineFile = z.infer<typeof gateBaselineSchema>;
/** One machine's figures: what a gate run compares with. */
export type GateBaseline = z.infer<typeof machineBaselineSchema>;
export type ScenarioBaseline = z.infer<typeof scenarioBaselineSchema>;

/** What the current run expects of a baseline. */
export interface BaselineExpectation {
  reference: string;
  scenarios: readonly { name: string; fingerprint: string }[];
  /** This machine's CPU model: the figures measured on it are preferred. */
  cpuModel: string;
  /** The command that writes a fitting baseline, for the messages. */
  rewriteCommand: string;
}

/** The figures to compare with, and a notice when they were measured on another CPU model. */
export interface ChosenBaseline {
  baseline: GateBaseline;
  notice: string | undefined;
}

export function baselinePath(dir: string): string {
  return join(dir, GATE_BASELINE_FILE);
}

/**
 * Reads the baseline in `dir`, picks the figures of this machine's CPU model (else the newest,
 * with a notice) and checks that they can be compared with this run. Throws GateBaselineError
 * when they cannot: missing, not JSON, another schema version or reference, or another set of
 * scenarios (or a scenario whose set-up changed).
 */
export async function readBaseline(dir: string, expected: BaselineExpectation): Promise<ChosenBaseline> {
  const path = baselinePath(dir);
  const fix = `run \`${expected.rewriteCommand}\` to write one`;
  const file = await readBaselineFile(path, fix);
  if (file.reference !== expected.reference) {
    throw new GateBaselineError(
      'ERR_BASELINE_SCHEMA',
      `${path} was measured against reference "${file.reference}", this gate uses "${expected.reference}": ${fix}`,
    );
  }
  const own = file.machines.find((machine) => machine.environment.cpuModel === expected.cpuModel);
  const baseline = own ?? newest(file.machines);
  checkScenarioSet(baseline, expected, path, fix);
  const notice =
    own === undefined
      ? `The baseline holds no figures measured on "${expected.cpuModel}"; compared with those of ` +
        `"${baseline.environment.cpuModel}" (${baseline.createdAt}), whose ratios may differ by up to ` +
        `about 15 %: run \`${expected.rewriteCommand}\` on this kind of machine and commit it.`
      : undefined;
  return { baseline, notice };
}

async function readBaselineFile(path: string, fix: string): Promise<GateBaselineFile> {
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
  const head = (json ?? {}) as { kind?: unknown; schemaVersion?: unknown };
  if (head.kind !== GATE_BASELINE_KIND) {
    throw new GateBaselineError('ERR_BASELINE_INVALID', `${path} is not a gate baseline: ${fix}`);
  }
  if (
    head.schemaVersion !== GATE_BASELINE_SCHEMA_VERSION &&
    head.schemaVersion !== SINGLE_MACHINE_SCHEMA_VERSION
  ) {
    throw new GateBaselineError(
      'ERR_BASELINE_SCHEMA',
      `${path} has schema version ${String(head.schemaVersion)}, this gate reads versions ${SINGLE_MACHINE_SCHEMA_VERSION} and ${GATE_BASELINE_SCHEMA_VERSION}: ${fix}`,
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
  return parsed.data;
}

function newest(machines: readonly GateBaseline[]): GateBaseline {
  return machines.reduce((latest, machine) => (machine.createdAt > latest.createdAt ? machine : latest));
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

/** Whether two machines' figures are of the same scenarios with the same set-ups. */
function sameScenarios(a: GateBaseline, b: GateBaseline): boolean {
  const fingerprints = (machine: GateBaseline): string =>
    machine.scenarios
      .map((scenario) => `${scenario.name}:${scenario.fingerprint}`)
      .sort()
      .join(',');
  return fingerprints(a) === fingerprints(b);
}

/**
 * Writes `machine`'s figures into the baseline in `dir`, in place of those of the same CPU model.
 * Other CPU models' figures are kept when they are of the same scenarios and set-ups and were
 * measured against the same reference; otherwise they are dropped, stale. Answers the path and
 * the CPU models whose figures were kept.
 */
export async function writeBaseline(
  dir: string,
  reference: string,
  machine: GateBaseline,
): Promise<{ path: string; kept: string[] }> {
  const path = baselinePath(dir);
  const existing = await readBaselineFile(path, '').catch(() => undefined);
  const kept =
    existing === undefined || existing.reference !== reference
      ? []
      : existing.machines.filter(
          (other) =>
            other.environment.cpuModel !== machine.environment.cpuModel && sameScenarios(other, machine),
        );
  const file: GateBaselineFile = {
    kind: GATE_BASELINE_KIND,
    schemaVersion: GATE_BASELINE_SCHEMA_VERSION,
    reference,
    machines: [...kept, machine],
  };
  await mkdir(dir, { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, `${formatBaseline(file)}\n`);
  await rename(temporary, path);
  return { path, kept: kept.map((other) => other.environment.cpuModel) };
}

/** Indented JSON with each list of samples on one line: a diff of the file stays readable. */
export function formatBaseline(file: GateBaselineFile): string {
  return JSON.stringify(file, roundSamples, 2).replace(
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
