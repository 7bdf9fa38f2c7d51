import { defineScenario } from 'rpcbench';

// A seeded random pick: shares scatter around even, and the chi-square p-value says whether by chance.
// The same servers then answer autocannon over plain HTTP, for a baseline beside the RPC figures.
export default defineScenario({
  name: 'random',
  description:
    'Seeded random selection over 4 servers, 32 calls in flight, then an HTTP baseline (autocannon)',
  servers: { count: 4 },
  select: 'random',
  load: { model: 'closed', concurrency: 32 },
  durationMs: 4_000,
  warmupMs: 500,
  seed: 42,
  httpBaseline: true,
  thresholds: ['errors < 0.1%', 'jain >= 0.98'],
});
