import type { CapacitySearchRecord, SearchStepRecord } from '../result/search-schema.ts';
import { formatCount, formatLatencyUs, formatRate } from '../util/format.ts';
import { msToSeconds } from '../util/units.ts';

const STOP_REASONS: Record<CapacitySearchRecord['stoppedBy'], string> = {
  converged: 'converged',
  'max-rate': 'reached maxRatePerSecond',
  'min-rate': 'failed even below 1 call/s',
  'max-steps': 'step bound reached',
  'max-time': 'time bound reached',
  stopped: 'interrupted',
};

const rate = (perSecond: number) => `${formatRate(perSecond)} calls/s`;

/**
 * What a capacity search found, in one sentence: the rate found with its bracket, how the search
 * ended, and the spread of the repeated measurements at that rate.
 */
export function describeSearch(search: CapacitySearchRecord): string {
  const slo = search.slo.join(' and ');
  const found =
    search.foundRatePerSecond === null
      ? `${slo} failed at every rate tried`
      : `${slo} held up to ${rate(search.foundRatePerSecond)}` +
        (search.failingRatePerSecond === null ? '' : ` and failed at ${rate(search.failingRatePerSecond)}`);
  const how =
    `${STOP_REASONS[search.stoppedBy]} after ${search.steps.length} of at most ${search.maxSteps} steps, ` +
    `${msToSeconds(search.elapsedMs).toFixed(1)}s`;
  const spread = search.spread;
  const repeated =
    spread === null
      ? ''
      : `; at that rate over ${spread.steps} measurement${spread.steps === 1 ? '' : 's'} (${spread.passed} passed): ` +
        `achieved ${range(spread.achievedRatePerSecond, formatRate)} calls/s, p99 ${range(spread.p99Us, formatLatencyUs)}` +
        (spread.passed < spread.steps ? '; UNCONFIRMED: the measurements at that rate disagree' : '');
  return `${found} (${how})${repeated}`;
}

/** The search's steps as table rows: step, kind, offered, achieved, p50, p99, errors, verdict. */
export const SEARCH_STEP_COLUMNS = [
  'step',
  'kind',
  'offered/s',
  'achieved/s',
  'p50',
  'p99',
  'errors',
  'verdict',
];

export function searchStepRows(search: CapacitySearchRecord): string[][] {
  return search.steps.map((step, index) => searchStepRow(step, index + 1));
}

function searchStepRow(step: SearchStepRecord, number: number): string[] {
  return [
    String(number),
    step.kind,
    formatRate(step.offeredRatePerSecond),
    formatRate(step.achievedRatePerSecond),
    formatLatencyUs(step.p50Us),
    formatLatencyUs(step.p99Us),
    formatCount(step.errors),
    step.passed ? 'pass' : (step.failure ?? 'fail'),
  ];
}

/** One step as it ends, for the progress output: `step 2 grow: offered 400/s, achieved 399/s, …: pass`. */
export function describeSearchStep(step: SearchStepRecord, number: number): string {
  const [, kind, offered, achieved, p50, p99, errors, verdict] = searchStepRow(step, number);
  return `step ${number} ${kind}: offered ${offered}/s, achieved ${achieved}/s, p50 ${p50}, p99 ${p99}, errors ${errors}: ${verdict}`;
}

function range(spread: { min: number; max: number }, format: (value: number) => string): string {
  return spread.min === spread.max ? format(spread.min) : `${format(spread.min)}–${format(spread.max)}`;
}
