import { performance } from 'node:perf_hooks';
import type { MessagePort } from 'node:worker_threads';
import { prepareRecordingHistograms } from '../../result/histogram.ts';
import type { PhaseRpcSetup } from '../../scenario/phase-rpc-setup.ts';
import { createSeededRandom } from '../../util/seeded-random.ts';
import { openPhaseClients } from '../clients/phase-clients.ts';
import { type LoadShareResult, PhaseRecorder } from '../metrics/phase-recorder.ts';
import { LIVE_FIGURES_INTERVAL_MS } from '../metrics/prometheus/live-metrics.ts';
import { startThreadProfile } from '../profile/thread-profile.ts';
import { pollUntil } from '../threads/barrier.ts';
import { PhaseControl } from '../threads/phase-control.ts';
import { prepareCallInputs } from './call-inputs.ts';
import { ClosedLoop, type ClosedRamp } from './closed-loop.ts';
import type { LoadCalls, LoopLimits, ModelLoad } from './load-calls.ts';
import { MAX_CALLS_PER_PHASE } from './load-loop.ts';
import { OpenLoop, type OpenLoopOptions } from './open-loop.ts';

const PROGRESS_INTERVAL_MS = 100;
/** The args generator draws from its own sequence, so that it does not change the selection's. */
const ARGS_SEED_MIX = 0x5f3759df;
/** Calls still pending this long after the loop stopped are abandoned (their XClients are closed). */
const STOP_GRACE_MS = 1_000;

export type ShareLoad =
  | { model: 'closed'; concurrency: number; ramp?: ClosedRamp }
  | ({ model: 'open' } & OpenLoopOptions);

/** One load thread's part of a phase. */
export interface LoadShareTask {
  control: SharedArrayBuffer;
  threads: number;
  thread: number;
  addresses: string[];
  /** The phase's RPC set-up, as the gate's probe uses it too. */
  setup: PhaseRpcSetup;
  /** XClients on this thread; they share one discovery, so a round robin is one sequence. */
  clients: number;
  load: ShareLoad;
  warmupMs: number;
  durationMs: number;
  /** The timeline's step (the scenario's timelineIntervalMs). */
  timelineIntervalMs: number;
  maxCalls: number;
  seed: number;
  /** Bound on waiting for calls in flight after the measured window. */
  drainTimeoutMs: number;
  /** Bound on waiting for the runner's go. */
  goTimeoutMs: number;
  /** Where the measured figures go about once a second, when the run serves live metrics. */
  live?: MessagePort;
}

/**
 * Piscina task: warm up, report warmed, wait for the runner's go (the servers' counts are reset
 * meanwhile), measure until the deadline or the call budget, and return what was recorded.
 */
export default async function runLoadShare(task: LoadShareTask): Promise<LoadShareResult> {
  const profile = await startThreadProfile('load');
  prepareRecordingHistograms();
  const control = new PhaseControl(task.threads, task.control);
  const random = createSeededRandom(task.seed);
  const inputs = await prepareCallInputs(task.setup.call, createSeededRandom(task.seed ^ ARGS_SEED_MIX));
  /** Where outlier events go: the warm-up's recorder (discarded), then the measured phase's. */
  let active: PhaseRecorder | undefined;
  const phase = await openPhaseClients(task.setup, task.addresses, {
    random,
    count: task.clients,
    onOutlierEvent: (event) => active?.outlierEvent(event),
  });
  const calls: LoadCalls = {
    clients: phase.clients,
    broadcast: phase.broadcast,
    serviceMethod: inputs.method,
    args: inputs.args,
    argsAt: inputs.argsAt,
    check: inputs.check,
    callOptions: phase.callOptions,
  };
  let loop: ModelLoad | undefined;
  let recorder: PhaseRecorder | undefined;
  const ticker = setInterval(() => {
    if (control.stopRequested) loop?.stop();
    if (recorder !== undefined) {
      control.publish(task.thread, recorder.calls, recorder.errors, recorder.currentP99Us());
    }
  }, PROGRESS_INTERVAL_MS);
  const live = task.live;
  const liveTicker = startLiveFigures(live, phase.clients, () => recorder);
  try {
    if (task.warmupMs > 0 && !control.stopRequested) {
      await warmUp(task, calls, (warming, warmup) => {
        loop = warming;
        active = warmup;
      });
    }
    control.markWarmed();
    await pollUntil(
      () => control.startAtEpochMs !== undefined || control.stopRequested,
      task.goTimeoutMs,
      'the runner to start the phase',
    );
    const startAtEpochMs = control.startAtEpochMs;
    if (control.stopRequested || startAtEpochMs === undefined) {
      return { thread: task.thread, stopped: true, ...new PhaseRecorder(task.addresses, 0).finish() };
    }
    const startMs = performance.now() + (startAtEpochMs - Date.now());
    await sleepUntil(startMs);
    recorder = new PhaseRecorder(task.addresses, startMs, task.timelineIntervalMs, {
      live: live !== undefined,
    });
    active = recorder;
    loop = createLoop(task.load, calls, recorder, {
      startMs,
      deadlineMs: startMs + task.durationMs,
      maxCalls: task.maxCalls,
    });
    const settled = await settle(loop, task.durationMs + task.drainTimeoutMs);
    if (!settled) {
      // Abandon what is still pending: closing the XClients rejects it.
      await Promise.allSettled(phase.clients.map((client) => client.close()));
      await settle(loop, STOP_GRACE_MS);
    }
    control.publish(task.thread, recorder.calls, recorder.errors, recorder.currentP99Us());
    return { thread: task.thread, stopped: control.stopRequested, ...recorder.finish() };
  } finally {
    clearInterval(ticker);
    clearInterval(liveTicker);
    live?.close();
    recorder?.discard();
    await phase.close();
    await profile?.stop();
  }
}

/** Sends the warm-up's calls and forgets what they recorded; `started` hands the loop over so a stop reaches it. */
async function warmUp(
  task: LoadShareTask,
  calls: LoadCalls,
  started: (loop: ModelLoad, recorder: PhaseRecorder) => void,
): Promise<void> {
  const startMs = performance.now();
  const warmup = new PhaseRecorder(task.addresses, startMs);
  const loop = createLoop(task.load, calls, warmup, {
    startMs,
    deadlineMs: startMs + task.warmupMs,
    maxCalls: MAX_CALLS_PER_PHASE,
  });
  started(loop, warmup);
  try {
    await settle(loop, task.warmupMs + task.drainTimeoutMs);
  } finally {
    warmup.discard();
  }
}

/** Posts the measured figures about once a second, when the run serves live metrics. */
function startLiveFigures(
  live: MessagePort | undefined,
  clients: readonly { stats(): { inFlight: number } }[],
  recording: () => PhaseRecorder | undefined,
): NodeJS.Timeout | undefined {
  if (live === undefined) return undefined;
  return setInterval(() => {
    const recorder = recording();
    if (recorder === undefined) return;
    const inFlight = clients.reduce((sum, client) => sum + client.stats().inFlight, 0);
    live.postMessage(recorder.liveFigures(inFlight));
  }, LIVE_FIGURES_INTERVAL_MS);
}

function createLoop(
  load: ShareLoad,
  calls: LoadCalls,
  recorder: PhaseRecorder,
  limits: LoopLimits,
): ModelLoad {
  return load.model === 'closed'
    ? new ClosedLoop(calls, recorder, load.concurrency, limits, load.ramp)
    : new OpenLoop(calls, recorder, load, limits);
}

/** Runs the loop; true when it finished within `boundMs`, else it is stopped and false returned. */
async function settle(loop: ModelLoad, boundMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), boundMs);
  });
  try {
    const finished = await Promise.race([loop.run().then(() => true as const), timedOut]);
    if (!finished) loop.stop();
    return finished;
  } finally {
    clearTimeout(timer);
  }
}

async function sleepUntil(atMs: number): Promise<void> {
  const waitMs = atMs - performance.now();
  if (waitMs > 1) await new Promise((resolve) => setTimeout(resolve, waitMs - 1));
  while (performance.now() < atMs) await new Promise((resolve) => setImmediate(resolve));
}
