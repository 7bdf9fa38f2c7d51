import { defineScenario } from 'rpcbench';

// A server crashes mid-run and comes back: with failover, calls it drops are retried on another server.
export default defineScenario({
  name: 'failover',
  description: 'Server 1 of 3 crashes at 1.5 s and restarts 1.5 s later; failover retries on the others',
  servers: {
    count: 3,
    overrides: { '1': { crash: { atMs: 1_500, restartAfterMs: 1_500 } } },
  },
  select: 'roundrobin',
  failMode: 'failover',
  retries: 2,
  load: { model: 'closed', concurrency: 32 },
  durationMs: 5_000,
  warmupMs: 500,
  callTimeoutMs: 2_000,
  thresholds: ['errors < 1%'],
});
