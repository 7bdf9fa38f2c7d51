import { defineScenario } from '../src/harness/scenario.ts';

// A seeded random pick: shares scatter around even, and the chi-square p-value says whether by chance.
export default defineScenario({
  name: 'random',
  description: 'Seeded random selection over 4 servers, 32 calls in flight: chi-square against even shares',
  servers: { count: 4 },
  select: 'random',
  load: { model: 'closed', concurrency: 32 },
  durationMs: 4_000,
  warmupMs: 500,
  seed: 42,
  thresholds: ['errors < 0.1%', 'jain >= 0.98'],
});
