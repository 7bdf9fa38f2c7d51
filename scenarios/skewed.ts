import { defineScenario } from 'rpcbench';

// One server five times slower than the others. Round robin and random keep sending it its share and
// wait on it; p2c sees its calls pile up and goes elsewhere; weighted round robin sends it what its
// (lower) weight says; consistent hashing sends it whatever its keys hash to.
export default defineScenario({
  name: 'skewed',
  description: 'One slow server (x5) among 4: how each mode shares calls and what latency follows',
  servers: {
    count: 4,
    behaviour: { serviceTime: { distribution: 'lognormal', medianUs: 2_000, sigma: 0.5 } },
    overrides: { '3': { slowFactor: 5, weight: 0.25 } },
  },
  select: ['roundrobin', 'random', 'p2c', 'weighted-roundrobin', 'consistent-hash'],
  load: { model: 'closed', concurrency: 32 },
  durationMs: 1_500,
  warmupMs: 300,
  thresholds: ['errors < 0.1%', 'roundrobin: jain >= 0.99'],
});
