import { Bench } from 'tinybench';
import type { MicroBenchmark } from '../../result/result-schema.ts';
import type { CodecName } from '../../rpc/codec/codec.ts';
import { dial } from '../../rpc/dial.ts';
import { msToSeconds, msToUs } from '../../util/units.ts';
import { LOAD_METHOD } from '../servers/load-service.ts';

/** Per task: long enough for a few thousand dial-per-call samples, short enough for a quick run. */
const TASK_TIME_MS = 500;
const WARMUP_TIME_MS = 100;

export const CACHED_CALL_BENCHMARK = 'call on a cached client';
export const DIAL_CALL_BENCHMARK = 'dial + call + close';

/**
 * tinybench micro-benchmarks of one call, one at a time, against one server: on a client dialed
 * once, and with a dial and a close around it. `ratio` is each one's mean time over the cached
 * call's: what a dial per call costs.
 */
export async function runMicroBenchmarks(
  address: string,
  codec: CodecName,
  payloadBytes: number,
  signal?: AbortSignal,
): Promise<MicroBenchmark[]> {
  const args = { Payload: 'x'.repeat(payloadBytes) };
  const cached = await dial(address, { codec });
  try {
    const bench = new Bench({ time: TASK_TIME_MS, warmupTime: WARMUP_TIME_MS, throws: true, signal });
    bench.add(CACHED_CALL_BENCHMARK, async () => {
      await cached.call(LOAD_METHOD, args);
    });
    bench.add(DIAL_CALL_BENCHMARK, async () => {
      const client = await dial(address, { codec });
      try {
        await client.call(LOAD_METHOD, args);
      } finally {
        await client.close();
      }
    });
    await bench.run();
    const results: MicroBenchmark[] = [];
    for (const task of bench.tasks) {
      const result = task.result;
      if (result.state !== 'completed' && result.state !== 'aborted-with-statistics') continue;
      const { latency } = result;
      results.push({
        name: task.name,
        samples: latency.samplesCount,
        opsPerSecond: latency.mean > 0 ? 1 / msToSeconds(latency.mean) : 0,
        meanUs: msToUs(latency.mean),
        p50Us: msToUs(latency.p50),
        p99Us: msToUs(latency.p99),
        rmePercent: Number.isFinite(latency.rme) ? latency.rme : 0,
      });
    }
    const baseline = results.find((result) => result.name === CACHED_CALL_BENCHMARK);
    for (const result of results) {
      if (baseline !== undefined && baseline.meanUs > 0) result.ratio = result.meanUs / baseline.meanUs;
    }
    return results;
  } finally {
    await cached.close();
  }
}
