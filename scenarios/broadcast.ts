import { defineScenario } from 'rpcbench';

// Every call goes to every server: a call is as slow as its slowest server.
export default defineScenario({
  name: 'broadcast',
  description: 'Broadcast to 3 servers, one a little slower: each call waits for the slowest answer',
  servers: {
    count: 3,
    behaviour: { serviceTime: { distribution: 'exponential', meanUs: 2_000 } },
    overrides: { '2': { slowFactor: 2 } },
  },
  select: 'broadcast',
  load: { model: 'closed', concurrency: 16 },
  durationMs: 4_000,
  warmupMs: 500,
  thresholds: ['errors < 0.1%', 'jain >= 0.999'],
});
