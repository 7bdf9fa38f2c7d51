// What `npm run bench` shows while a scenario runs: a live bar on a terminal, otherwise a line per event.
import { SingleBar } from 'cli-progress';
import type { ScenarioObserver } from '../harness/run/run-scenarios.ts';
import type { RunProgress } from '../harness/runner.ts';
import { describeSearchStep } from '../report/search-summary.ts';
import { describeAgent, describePhase } from '../report/text-summary.ts';
import type { SearchStepRecord } from '../result/search-schema.ts';
import type { LoadedScenario } from '../scenario/scenario-loader.ts';
import { phaseDurationMs } from '../scenario/scenario-schema.ts';
import { formatCount, formatLatencyUs } from '../util/format.ts';
import { msToSeconds } from '../util/units.ts';
import { type ProgressFields, progressLine } from './progress-line.ts';

/**
 * A live bar on a terminal; otherwise (or with `quiet`) a line as each phase starts, starts
 * measuring and ends. A capacity search prints each step as it ends either way.
 */
export function createProgress(loaded: LoadedScenario, options: { quiet?: boolean }): ScenarioObserver {
  const live = options.quiet !== true && process.stderr.isTTY === true;
  // A line printed under a live bar first clears the bar's line; the bar redraws below it.
  const print = live ? (line: string) => process.stderr.write(`\r\x1b[K${line}\n`) : writeLine;
  const onSearchStep = (step: SearchStepRecord, number: number) =>
    print(`${loaded.scenario.name}: search ${describeSearchStep(step, number)}`);
  return { ...(live ? barProgress(loaded) : lineProgress(loaded)), onSearchStep };
}

function writeLine(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** A line as each phase starts, as it (or a search's step) starts measuring, and as it ends. */
function lineProgress(loaded: LoadedScenario): ScenarioObserver {
  const { scenario } = loaded;
  let lastPhase = -1;
  let lastMeasured = '';
  return {
    onProgress: (progress) => {
      const phase = `${scenario.name}: phase ${progress.phaseIndex + 1}/${progress.phaseCount} ${progress.phase}`;
      if (progress.phaseIndex !== lastPhase) writeLine(`${phase}: ${describeMeasurement(scenario)}`);
      lastPhase = progress.phaseIndex;
      // Each step of a search is labelled apart: the label tells them apart.
      const measured = `${progress.phaseIndex}/${progress.phase}`;
      if (progress.stage === 'measure' && measured !== lastMeasured) writeLine(`${phase}: measuring`);
      if (progress.stage === 'measure') lastMeasured = measured;
    },
    onPhaseEnd: (phase) => {
      writeLine(`${scenario.name}: phase ${describePhase(phase)}`);
      for (const agent of phase.agents ?? []) writeLine(`  ${describeAgent(agent)}`);
    },
  };
}

/** A live bar on a terminal: the phase, its stage, time, rate, p99, errors and each load host. */
function barProgress(loaded: LoadedScenario): ScenarioObserver {
  const { scenario } = loaded;
  let lastKey = '';
  const bar = new SingleBar({
    stream: process.stderr,
    format: (_options, params, payload) =>
      progressLine(payload as ProgressFields, params.progress, params.maxWidth),
    hideCursor: true,
    // The summary follows: the bar is cleared, after an interrupt too, so that it never sits in the middle of it.
    clearOnComplete: true,
  });
  let started = false;
  return {
    onProgress: (progress) => {
      const key = `${progress.phaseIndex}/${progress.stage}`;
      const totalTenths = Math.max(1, Math.round(progress.totalMs / 100));
      const payload = progressFields(scenario.name, progress);
      const value = Math.min(totalTenths, Math.round(progress.elapsedMs / 100));
      if (!started) {
        bar.start(totalTenths, value, payload);
        started = true;
      } else if (key !== lastKey) {
        bar.setTotal(totalTenths);
        bar.update(value, payload);
      } else {
        bar.update(value, payload);
      }
      lastKey = key;
    },
    stop: () => {
      if (started) bar.stop();
    },
  };
}

function progressFields(scenario: string, progress: RunProgress): ProgressFields {
  const warmingUp = progress.stage === 'warmup';
  return {
    scenario,
    phase: `${progress.phaseIndex + 1}/${progress.phaseCount} ${progress.phase}`,
    stage: warmingUp ? 'warm-up' : 'measure',
    elapsedSeconds: msToSeconds(Math.min(progress.elapsedMs, progress.totalMs)).toFixed(1),
    totalSeconds: msToSeconds(progress.totalMs).toFixed(1),
    rate: warmingUp ? '-' : formatCount(progress.callsPerSecond),
    p99: warmingUp ? '-' : formatLatencyUs(progress.p99Us),
    errors: formatCount(progress.errors),
    hosts: (progress.hosts ?? [])
      .map((host) => ` | ${host.name} ${formatCount(host.calls)} calls p99 ${formatLatencyUs(host.p99Us)}`)
      .join(''),
  };
}

/** What each phase will do, for the line that starts it. */
function describeMeasurement(scenario: LoadedScenario['scenario']): string {
  const { load } = scenario;
  if (load.model === 'search') {
    return (
      `capacity search for ${load.slo.join(' and ')}: steps of ${msToSeconds(load.stepDurationMs)}s from ` +
      `${formatCount(load.startRatePerSecond)} calls/s, at most ${load.maxSteps} steps or ${msToSeconds(load.maxSearchMs)}s`
    );
  }
  return (
    `warming up ${msToSeconds(scenario.warmupMs)}s, then measuring up to ${msToSeconds(phaseDurationMs(scenario))}s` +
    `${scenario.calls === undefined ? '' : ` or ${formatCount(scenario.calls)} calls`}`
  );
}
