import { defineScenario } from 'rpcbench';

/**
 * Gate suite: the JSON codec and consistent hashing, with cached connections and with a dial per
 * call. The dial phase is only checked for lost calls: its timing is left to `npm run bench`.
 */
export default defineScenario({
  name: 'gate-json-hash',
  description: 'Consistent hash over three servers, JSON over TCP, cached connections and a dial per call',
  servers: { count: 3 },
  select: 'consistent-hash',
  codec: 'json',
  reuseClients: 'compare',
  load: { model: 'closed', concurrency: 32 },
  warmupMs: 200,
  durationMs: 1_000,
  thresholds: ['errors < 1'],
});
