import { defineScenario } from 'rpcbench';

/**
 * Gate suite: round robin over three servers. The gate checks that every server handled its
 * exact share (from the servers' own counts), that no call was lost, and the cost of a call.
 */
export default defineScenario({
  name: 'gate-roundrobin',
  description: 'Round robin over three servers, msgpack over TCP, 64 calls in flight',
  servers: { count: 3 },
  select: 'roundrobin',
  load: { model: 'closed', concurrency: 64 },
  warmupMs: 200,
  durationMs: 1_000,
  thresholds: ['errors < 1'],
});
