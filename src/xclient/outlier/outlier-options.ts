import { InvalidArgumentError } from '../../util/errors.ts';

/**
 * Passive health checking, named after Envoy's outlier detection: a server that fails too often is
 * taken out of selection for a while, in any select mode.
 */
export interface OutlierDetectionOptions {
  /** Failures in a row that eject a server at once; 0 turns the rule off. @default 5 */
  consecutiveErrors?: number;
  /** Ejects a server whose failures reach this percentage of its calls in an interval; 0 turns the rule off. @default 50 */
  failurePercentage?: number;
  /** Calls a server must have had in an interval for failurePercentage to judge it. @default 10 */
  minimumCalls?: number;
  /** How often failure percentages are judged and their counts restarted, ms. @default 1000 */
  intervalMs?: number;
  /** The first ejection's length; the n-th in a row lasts n times as long (at most 10 times), ms. @default 1000 */
  baseEjectionMs?: number;
  /** Never more than this percentage of the servers out at once; at least one may be, unless 0. @default 10 */
  maxEjectedPercent?: number;
  /** Remote application errors (ERR_REMOTE) count as failures too; by default only transport errors and timeouts do. @default false */
  countApplicationErrors?: boolean;
}

export type ResolvedOutlierDetection = Readonly<Required<OutlierDetectionOptions>>;

export const OUTLIER_DETECTION_DEFAULTS: ResolvedOutlierDetection = Object.freeze({
  consecutiveErrors: 5,
  failurePercentage: 50,
  minimumCalls: 10,
  intervalMs: 1_000,
  baseEjectionMs: 1_000,
  maxEjectedPercent: 10,
  countApplicationErrors: false,
});

/** An ejection lasts at most this many times baseEjectionMs, however often the server was ejected. */
export const MAX_EJECTION_MULTIPLIER = 10;

const MAX_MS = 3_600_000;

/** Defaults applied and every field checked; the message names the option and its rule. */
export function resolveOutlierDetection(options: OutlierDetectionOptions): ResolvedOutlierDetection {
  if (options === null || typeof options !== 'object') {
    throw new InvalidArgumentError('options.outlierDetection must be an object');
  }
  const resolved = { ...OUTLIER_DETECTION_DEFAULTS };
  for (const key of Object.keys(options) as (keyof OutlierDetectionOptions)[]) {
    if (!Object.hasOwn(OUTLIER_DETECTION_DEFAULTS, key)) {
      throw new InvalidArgumentError(
        `options.outlierDetection.${key} is not an option; use ${Object.keys(OUTLIER_DETECTION_DEFAULTS).join(', ')}`,
      );
    }
    const value = options[key];
    if (value !== undefined) (resolved as Record<string, unknown>)[key] = value;
  }
  checkInteger('consecutiveErrors', resolved.consecutiveErrors, 0, 1_000_000);
  checkInteger('failurePercentage', resolved.failurePercentage, 0, 100);
  checkInteger('minimumCalls', resolved.minimumCalls, 1, 1_000_000);
  checkInteger('intervalMs', resolved.intervalMs, 1, MAX_MS);
  checkInteger('baseEjectionMs', resolved.baseEjectionMs, 1, MAX_MS);
  checkInteger('maxEjectedPercent', resolved.maxEjectedPercent, 0, 100);
  if (typeof resolved.countApplicationErrors !== 'boolean') {
    throw new InvalidArgumentError('options.outlierDetection.countApplicationErrors must be a boolean');
  }
  return Object.freeze(resolved);
}

function checkInteger(name: string, value: unknown, min: number, max: number): void {
  if (!Number.isSafeInteger(value) || (value as number) < min || (value as number) > max) {
    throw new InvalidArgumentError(
      `options.outlierDetection.${name} must be an integer from ${min} to ${max}, got ${String(value)}`,
    );
  }
}
