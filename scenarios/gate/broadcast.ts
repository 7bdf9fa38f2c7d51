import { defineScenario } from 'rpcbench';

/** Gate suite: every broadcast must reach every server, and none may be lost. */
export default defineScenario({
  name: 'gate-broadcast',
  description: 'Broadcast to three servers, msgpack over TCP, 16 broadcasts in flight',
  servers: { count: 3 },
  select: 'broadcast',
  load: { model: 'closed', concurrency: 16 },
  warmupMs: 200,
  durationMs: 1_000,
  thresholds: ['errors < 1'],
});
