/**
 * Every unit conversion lives here, so that a name ending in Ms, Us or Ns can be trusted.
 * Go's time.Duration travels as integer nanoseconds.
 */
export const msToNs = (ms: number): number => Math.round(ms * 1e6);
export const nsToMs = (ns: number): number => ns / 1e6;
export const msToUs = (ms: number): number => Math.round(ms * 1e3);
export const usToMs = (us: number): number => us / 1e3;
/** hdr histograms keep integers: latencies are recorded as whole microseconds. */
export const nsToUs = (ns: bigint | number): number => Math.round(Number(ns) / 1e3);
/** For figures that are not histogram values, such as CPU time per call: keeps the fraction. */
export const nsToFractionalUs = (ns: number): number => ns / 1e3;
export const secondsToMs = (s: number): number => s * 1e3;
export const msToSeconds = (ms: number): number => ms / 1e3;
export const usToSeconds = (us: number): number => us / 1e6;
/** setTimeout fires after 1 ms when given more than this (about 24.8 days), so longer limits are capped here. */
export const MAX_TIMER_MS = 2 ** 31 - 1;
