import type { ServiceTime } from '../../scenario/scenario-schema.ts';

/**
 * Draws service times in microseconds from a scenario's distribution, with the server's own
 * seeded generator so that a run can be repeated.
 */
export function createServiceTimeSampler(serviceTime: ServiceTime, random: () => number): () => number {
  switch (serviceTime.distribution) {
    case 'fixed': {
      const us = serviceTime.us;
      return () => us;
    }
    case 'exponential': {
      const meanUs = serviceTime.meanUs;
      // 1 − u lies in (0, 1]: the logarithm stays finite.
      return () => -meanUs * Math.log(1 - random());
    }
    case 'lognormal': {
      const { medianUs, sigma } = serviceTime;
      return () => medianUs * Math.exp(sigma * standardNormal(random));
    }
  }
}

/** Box–Muller: one standard normal draw from two uniform ones. */
function standardNormal(random: () => number): number {
  const u = 1 - random();
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}
