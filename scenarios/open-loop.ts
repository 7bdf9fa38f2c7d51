import { defineScenario } from 'rpcbench';

// A fixed arrival rate against a server that stops answering for a second. Latency is measured from
// each call's intended start, so every call the stall delayed counts, as wrk2 and k6 measure it.
export default defineScenario({
  name: 'open-loop',
  description: 'Open model at 2,000 calls/s over 3 servers; server 0 stalls for 1 s at 1.5 s',
  servers: {
    count: 3,
    overrides: { '0': { stall: { atMs: 1_500, durationMs: 1_000 } } },
  },
  select: 'roundrobin',
  load: { model: 'open', ratePerSecond: 2_000, maxInFlight: 2_048 },
  durationMs: 5_000,
  warmupMs: 500,
  thresholds: ['errors < 0.1%', 'p50 < 10ms'],
});
