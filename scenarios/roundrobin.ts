import { defineScenario } from 'rpcbench';

// The main job: round robin over three servers on two threads, 64 calls in flight, msgpack over TCP.
export default defineScenario({
  name: 'roundrobin',
  description: 'Round robin over 3 servers (2 threads), closed model, 64 calls in flight, TCP + msgpack',
  servers: { count: 3, threads: 2 },
  transport: 'tcp',
  codec: 'msgpack',
  select: 'roundrobin',
  load: { model: 'closed', concurrency: 64 },
  durationMs: 5_000,
  warmupMs: 1_000,
  payloadBytes: 64,
  // Loose enough for a loaded 2-core machine: round robin must be even, and errors absent.
  thresholds: ['p99 < 50ms', 'errors < 0.1%', 'jain >= 0.99', 'rps > 1000'],
});
