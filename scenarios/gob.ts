import { defineScenario } from 'rpcbench';

// gob, the one codec an unmodified Go GeeRPC speaks, through the same path as the main job.
export default defineScenario({
  name: 'gob',
  description: 'Round robin over 3 servers (2 threads), closed model, 64 calls in flight, TCP + gob',
  servers: { count: 3, threads: 2 },
  transport: 'tcp',
  codec: 'gob',
  select: ['roundrobin', 'p2c'],
  load: { model: 'closed', concurrency: 64 },
  durationMs: 3_000,
  warmupMs: 500,
  payloadBytes: 64,
  thresholds: ['p99 < 50ms', 'errors < 0.1%', 'jain >= 0.95', 'rps > 1000'],
});
