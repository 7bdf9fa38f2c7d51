import { defineScenario } from 'rpcbench';

// Which balancer, under which fault. Four servers: server 1 turns five times slower for the middle
// third of each phase and recovers; server 2 fails half of its calls from 1 s to 8 s. Round robin
// keeps sending both their quarter; p2c sees only calls piling up; peak-ewma sees the latency at
// the first slow reply. Each runs without and with outlier ejection, which takes the failing server
// out of selection for a back-off that grows while it keeps failing.
export default defineScenario({
  name: 'balancers',
  description:
    'A server degrading x5 for the middle third and one failing 50 %: roundrobin, p2c, peak-ewma, each with and without outlier ejection',
  servers: {
    count: 4,
    behaviour: { serviceTime: { distribution: 'lognormal', medianUs: 4_000, sigma: 0.3 } },
    overrides: {
      '1': {
        schedule: [
          { atMs: 3_000, slowFactor: 5 },
          { atMs: 6_000, slowFactor: 1 },
        ],
      },
      '2': {
        schedule: [
          { atMs: 1_000, errorRate: 0.5 },
          { atMs: 8_000, errorRate: 0 },
        ],
      },
    },
  },
  select: ['roundrobin', 'p2c', 'peak-ewma'],
  outlierDetection: {
    compare: true,
    consecutiveErrors: 5,
    failurePercentage: 20,
    minimumCalls: 10,
    intervalMs: 500,
    baseEjectionMs: 1_000,
    maxEjectedPercent: 50,
    // The simulated failures are errors the server answers with: count them.
    countApplicationErrors: true,
  },
  failMode: 'failfast',
  load: { model: 'closed', concurrency: 16 },
  durationMs: 9_000,
  warmupMs: 1_000,
});
