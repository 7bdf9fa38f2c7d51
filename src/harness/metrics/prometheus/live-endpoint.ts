import { LiveMetrics } from './live-metrics.ts';
import { MetricsServer, type MetricsServerLimits } from './metrics-server.ts';

/** How long a run keeps serving its final figures by default, waiting for one more scrape. */
export const DEFAULT_METRICS_LINGER_MS = 5_000;

/** A run's live metrics and the endpoint that serves them. */
export interface LiveEndpoint {
  readonly metrics: LiveMetrics;
  readonly url: string;
  /**
   * After the run: keeps serving until one scrape has read the final figures, at most `boundMs`
   * (or until `signal` aborts). True when that scrape happened.
   */
  linger(boundMs: number, signal?: AbortSignal): Promise<boolean>;
  close(): Promise<void>;
}

export async function serveLiveMetrics(
  listen: { host: string; port: number },
  limits?: MetricsServerLimits,
): Promise<LiveEndpoint> {
  const metrics = new LiveMetrics();
  const server = await MetricsServer.start(metrics, listen, limits);
  return {
    metrics,
    url: server.url,
    linger: async (boundMs, signal) => {
      if (boundMs <= 0 || signal?.aborted) return false;
      const aborted = new Promise<false>((resolve) =>
        signal?.addEventListener('abort', () => resolve(false)),
      );
      return Promise.race([server.waitForScrape(boundMs), aborted]);
    },
    close: () => server.close(),
  };
}
