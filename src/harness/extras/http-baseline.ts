import type autocannon from 'autocannon';
import { createLatencyHistogram } from '../../result/histogram.ts';
import type { HttpBaseline } from '../../result/result-schema.ts';
import { msToSeconds } from '../../util/units.ts';
import { LOAD_METHOD } from '../servers/load-service.ts';

export interface HttpBaselineOptions {
  /** Base URLs of the servers' HTTP endpoints. */
  urls: readonly string[];
  /** Connections over all servers, split as evenly as possible. */
  connections: number;
  durationMs: number;
  /** Stop after this many requests in all, when given. */
  amount?: number;
  payloadBytes: number;
  signal?: AbortSignal;
}

/**
 * autocannon against the servers' plain HTTP endpoint (`POST /call/Load.Work`), one instance per
 * server running at once with its share of the connections: the same methods, servers and load
 * as the RPC phases, through Node's HTTP stack. Response times are autocannon's own, whole
 * milliseconds (its resolution), merged into one histogram over all instances.
 */
export async function runHttpBaseline(options: HttpBaselineOptions): Promise<HttpBaseline> {
  const latencyMs = createLatencyHistogram();
  const body = JSON.stringify({ payload: 'x'.repeat(options.payloadBytes) });
  const count = options.urls.length;
  const shares = options.urls
    .map((url, index) => ({
      url,
      connections: Math.floor(options.connections / count) + (index < options.connections % count ? 1 : 0),
      amount:
        options.amount === undefined
          ? undefined
          : Math.floor(options.amount / count) + (index < options.amount % count ? 1 : 0),
    }))
    .filter((share) => share.connections > 0 && share.amount !== 0);
  // Loaded here, not at start-up: it takes about a second to load on a busy machine, and only this baseline uses it.
  const { default: runAutocannon } = await import('autocannon');
  const startedMs = performance.now();
  const results = await Promise.all(
    shares.map(
      (share) =>
        new Promise<autocannon.Result>((resolve, reject) => {
          const instance = runAutocannon(
            {
              url: `${share.url}/call/${LOAD_METHOD}`,
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body,
              connections: share.connections,
              duration: msToSeconds(options.durationMs),
              ...(share.amount === undefined ? {} : { amount: share.amount }),
            },
            (error: unknown, result: autocannon.Result) => {
              options.signal?.removeEventListener('abort', stop);
              if (error) reject(error);
              else resolve(result);
            },
          );
          const stop = () => instance.stop();
          options.signal?.addEventListener('abort', stop, { once: true });
          instance.on('response', (_client, _status, _bytes, responseTimeMs: number) => {
            latencyMs.recordValue(Math.floor(responseTimeMs));
          });
        }),
    ),
  );
  const elapsedMs = performance.now() - startedMs;
  const requests = results.reduce((sum, result) => sum + result.requests.total, 0);
  return {
    connections: shares.reduce((sum, share) => sum + share.connections, 0),
    durationMs: elapsedMs,
    requests,
    requestsPerSecond: elapsedMs > 0 ? requests / msToSeconds(elapsedMs) : 0,
    resolutionMs: 1,
    latencyMs: {
      mean: latencyMs.totalCount === 0 ? 0 : latencyMs.mean,
      p50: latencyMs.getValueAtPercentile(50),
      p90: latencyMs.getValueAtPercentile(90),
      p99: latencyMs.getValueAtPercentile(99),
      max: latencyMs.totalCount === 0 ? 0 : latencyMs.maxValue,
    },
    errors: results.reduce((sum, result) => sum + result.errors + result.timeouts, 0),
    non2xx: results.reduce((sum, result) => sum + result.non2xx, 0),
  };
}
