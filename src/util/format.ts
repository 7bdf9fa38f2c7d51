import { msToSeconds, usToMs } from './units.ts';

/**
 * How the report writes numbers for people. Tests format the values of a result with these same
 * functions and compare the outcome with the page. Units and numbers are joined by a no-break space.
 */
const NBSP = '\u00a0';
const grouped = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** Up to three significant digits, no trailing zeros beyond what the magnitude needs. */
function threeDigits(value: number): string {
  if (value >= 100) return value.toFixed(0);
  if (value >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

/** A latency given in microseconds: `850 µs`, `1.23 ms`, `45.6 ms`, `1.20 s`. */
export function formatLatencyUs(latencyUs: number): string {
  if (latencyUs < 10) return `${latencyUs.toFixed(1)}${NBSP}µs`;
  if (latencyUs < 1000) return `${Math.round(latencyUs)}${NBSP}µs`;
  const latencyMs = usToMs(latencyUs);
  if (latencyMs < 1000) return `${threeDigits(latencyMs)}${NBSP}ms`;
  return `${threeDigits(msToSeconds(latencyMs))}${NBSP}s`;
}

/** A duration given in milliseconds: `850 ms`, `10.0 s`. */
export function formatDurationMs(durationMs: number): string {
  if (durationMs < 1000) return `${Math.round(durationMs)}${NBSP}ms`;
  return `${msToSeconds(durationMs).toFixed(1)}${NBSP}s`;
}

/** A whole-millisecond figure from the HTTP baseline, whose resolution is 1 ms. */
export function formatWholeMs(valueMs: number): string {
  return `${Number.isInteger(valueMs) ? valueMs : valueMs.toFixed(2)}${NBSP}ms`;
}

/** Calls or operations per second: `12,345`, or `12.3` below 100. */
export function formatRate(perSecond: number): string {
  return perSecond >= 100 || Number.isInteger(perSecond) ? grouped.format(perSecond) : perSecond.toFixed(1);
}

/** A relative change (0.123) as a signless percentage, with more decimals for tiny changes. */
export function formatRelativeChange(relative: number): string {
  const percent = Math.abs(relative * 100);
  const digits = percent >= 0.1 || percent === 0 ? 1 : 3;
  return `${percent.toFixed(digits)}${NBSP}%`;
}

export function formatCount(count: number): string {
  return grouped.format(count);
}

/** A fraction (0.25) as a percentage: `25.0 %`. */
export function formatPercent(fraction: number, digits = 1): string {
  return `${(fraction * 100).toFixed(digits)}${NBSP}%`;
}

/** A ratio such as a speed-up: `3.21×`. */
export function formatRatio(ratio: number): string {
  if (!Number.isFinite(ratio)) return '∞';
  return `${ratio >= 100 ? ratio.toFixed(0) : ratio.toFixed(2)}×`;
}

/** A statistic with four decimals (Jain's index, CV, p-values). */
export function formatStat(value: number): string {
  if (!Number.isFinite(value)) return '∞';
  if (value !== 0 && Math.abs(value) < 0.0001) return value.toExponential(1);
  return value.toFixed(4);
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value.toFixed(0) : value.toFixed(1)}${NBSP}${units[unit]}`;
}

/** An ISO timestamp in UTC, to the second: `2026-11-25 21:10:05 UTC`. Unparsable text is kept as is. */
export function formatTimestamp(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/**
 * The percentile an x of the HdrHistogram plot stands for: x = 1/(1-p), so 10 is `90 %` and
 * 1000 is `99.9 %`. Shows as many decimals as the magnitude needs.
 */
export function formatPercentileOfX(x: number): string {
  const percent = 100 * (1 - 1 / x);
  const digits = Math.max(0, Math.ceil(Math.log10(x) - 1e-9) - 2);
  return `${percent.toFixed(digits)}${NBSP}%`;
}
