import { defineScenario } from 'rpcbench';

// What a cached connection saves: the same load with cached clients, then with a dial per call,
// plus tinybench micro-benchmarks of one call on a cached client against dial + call + close.
export default defineScenario({
  name: 'reuse',
  description:
    'Cached clients against a dial per call (round robin, 3 servers, 8 in flight), with micro-benchmarks',
  servers: { count: 3 },
  select: 'roundrobin',
  reuseClients: 'compare',
  load: { model: 'closed', concurrency: 8 },
  // Short: every dialed call leaves a socket in TIME_WAIT on the client side.
  durationMs: 3_000,
  warmupMs: 500,
  micro: true,
  thresholds: ['errors < 0.1%'],
});
